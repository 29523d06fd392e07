// alerts.js: the integrity engine's alerts and the assistant's notes, live. An alert comes raised, then
// updated while it lasts, then resolved, under one id (`<rule>#<n>`); the list keeps each alert as its
// newest event left it, newest first. Notes (`assist`) are suggestions for the interviewer, never a verdict,
// shown beside the alert they cite. Pure model (AlertBook) and a view.

import { el, duration } from "./dom.js";

export class AlertBook {
  alerts = new Map(); // id → newest alert data with {seq, ts}
  notes = []; // assist data with {seq, ts}

  observe(event) {
    if (event?.topic === "alert" && typeof event.data?.alert === "string") {
      this.alerts.set(event.data.alert, { ...event.data, seq: event.seq, ts: event.ts });
    } else if (event?.topic === "assist" && typeof event.data?.note === "string") {
      this.notes.push({ ...event.data, seq: event.seq, ts: event.ts });
    }
  }

  /** Newest first by the alert's start. */
  list() {
    return [...this.alerts.values()].sort((a, b) => String(b.started_at).localeCompare(String(a.started_at)));
  }

}

function clock(ts) {
  const date = new Date(ts);
  return Number.isNaN(date.getTime()) ? "" : date.toISOString().slice(11, 19);
}

export class AlertsView {
  constructor(root) {
    this.summary = el("p", { class: "alert-count" });
    this.list = el("ol", { class: "alerts" });
    this.notes = el("ol", { class: "notes" });
    root.replaceChildren(this.summary, this.list, el("h3", {}, "Assistant notes"), this.notes);
  }

  render(book) {
    const alerts = book.list();
    const open = alerts.filter((a) => a.state !== "resolved").length;
    this.summary.textContent = alerts.length === 0 ? "no alerts" : `${alerts.length} alert${alerts.length === 1 ? "" : "s"}, ${open} still open`;
    this.list.replaceChildren(...alerts.map((a) =>
      el("li", { class: `alert severity-${a.severity}`, "data-alert": a.alert, "data-state": a.state },
        el("span", { class: "when" }, clock(a.started_at)),
        el("span", { class: "severity" }, a.severity),
        el("span", { class: "message" }, a.message),
        el("span", { class: "state" }, a.state === "resolved" ? `resolved after ${duration(a.duration_s)}` : `${a.state}, ${duration(a.duration_s)} so far`),
        el("span", { class: "rule" }, a.alert))));
    this.notes.replaceChildren(...(book.notes.length === 0
      ? [el("li", { class: "none" }, "no notes")]
      : [...book.notes].reverse().map((n) =>
        el("li", { class: `note severity-${n.severity}`, "data-alert": n.alert },
          el("span", { class: "when" }, clock(n.ts)),
          el("span", { class: "message" }, n.note),
          n.phase ? el("span", { class: "phase" }, n.phase) : null))));
  }
}
