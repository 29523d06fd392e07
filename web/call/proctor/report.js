// report.js: the agent's report (docs/report.md, report.schema.json) when the interviewee agreed to send it:
// a short summary (interview, duration, score with its arithmetic, alerts, what each plugin could see, gaps)
// and the whole JSON as a download. The declined case says so plainly.

import { el, duration, figure } from "./dom.js";

export class ReportView {
  #url = null;
  #ask = null;

  /** `onRequest`, when given, is called by an "Ask for the report" button (send `report-request`). */
  constructor(root, onRequest = null) {
    this.root = root;
    this.#ask = onRequest;
    this.waiting(false);
  }

  waiting(asked) {
    this.root.replaceChildren(el("p", { class: "none" }, asked
      ? "asked the interviewee for the report; waiting for their answer"
      : "no report yet: ask for it at the end of the interview"), ...this.#button());
  }

  /** The "Ask for the report" button, as a list: none without `onRequest` (replaceChildren would write "null"). */
  #button() {
    if (!this.#ask) return [];
    return [el("button", { type: "button", class: "ask-report", "data-action": "ask-report", onclick: () => {
      if (this.#ask() !== false) this.waiting(true);
    } }, "Ask for the report")];
  }

  declined(reason) {
    this.root.replaceChildren(el("p", { class: "declined" },
      `the interviewee declined to send the report${reason ? ` (${reason})` : ""}`), ...this.#button());
  }

  render(report) {
    if (this.#url) URL.revokeObjectURL(this.#url);
    const interview = report?.interview ?? {};
    const integrity = report?.integrity ?? {};
    const alerts = report?.alerts?.items ?? [];
    const plugins = Array.isArray(report?.plugins) ? report.plugins : [];
    const gaps = Array.isArray(report?.gaps) ? report.gaps : [];
    const name = `${interview.interview ?? "interview"}-report.json`;
    this.#url = URL.createObjectURL(new Blob([JSON.stringify(report, null, 2)], { type: "application/json" }));
    this.root.replaceChildren(
      el("p", { class: "report-title" }, `${interview.title ?? "Interview"} (${interview.interview ?? "no id"}), ${duration(report?.duration_s)}, ${interview.state ?? ""}`),
      el("p", { class: "arithmetic" }, integrity.arithmetic ?? integrity.note ?? "no integrity summary recorded"),
      el("p", {}, alerts.length === 0 ? "no alerts recorded" : `${alerts.length} alert${alerts.length === 1 ? "" : "s"}:`),
      alerts.length ? el("ul", { class: "report-alerts" }, alerts.map((a) => el("li", {}, `${a.alert} (${a.severity}): ${a.message}`))) : null,
      plugins.length ? el("ul", { class: "report-plugins" }, plugins.map((p) =>
        el("li", {}, `${p.plugin ?? p.id}: observed ${p.share !== undefined ? `${figure(Math.round(p.share * 1000) / 10)} %` : "?"} of the time`))) : null,
      el("p", {}, gaps.length === 0 ? "no events missing from the file" : `${gaps.length} gap${gaps.length === 1 ? "" : "s"} in the file`),
      el("a", { class: "download", href: this.#url, download: name }, "Download the report (JSON)"),
      this.#button(),
    );
  }
}
