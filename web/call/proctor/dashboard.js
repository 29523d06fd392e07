// dashboard.js: the interviewer's view of what the agent observed, fed with every message of the `proctor`
// data channel from the interviewee's page (docs/call.md, "Between the pages").
//
//   import { ProctorDashboard } from "/static/call/proctor/dashboard.js";
//   const dashboard = new ProctorDashboard(root, { onPhase: (label) => channel.send(JSON.stringify({ type: "phase", label })) });
//   channel.addEventListener("message", (e) => dashboard.handle(JSON.parse(e.data)));
//   // the report: pass onReportRequest: () => channel.send(JSON.stringify({ type: "report-request" })),
//   // or send it from your own button and call dashboard.reportRequested()
//
// new ProctorDashboard(root, options)
//   onPhase   (label) => void: the interviewer marked a phase; send it to the interviewee as `phase`
//             (return false when it could not be sent: the form says so)
//   onReportRequest  () => void: when given, the report panel has an "Ask for the report" button that
//             calls it (send `report-request`; return false when it could not be sent)
//   now       () => ms, the clock for the liveness' ages (tests inject one)
//   tickMs    1000: how often the ages are redrawn (0: never by itself)
// handle(message)   one parsed `proctor` message; unknown types are ignored (a newer peer may send more)
// reportRequested() shows that the report was asked for
// close()           stops the clock
// Read-only models for tests and the page: alerts, score, heat, timeline, liveness, seqs.
//
// Everything is drawn from classes in proctor.css (link it in the page), with no inline style or script.

import { el } from "./dom.js";
import { AlertBook, AlertsView } from "./alerts.js";
import { HeatGrid, HeatmapView } from "./heatmap.js";
import { Liveness, LivenessView } from "./liveness.js";
import { PhaseMarker } from "./phases.js";
import { ReportView } from "./report.js";
import { ScoreBook, ScoreView } from "./score.js";
import { SeqTracker, describeGap } from "./seq.js";
import { Timeline, TimelineView } from "./timeline.js";

export class ProctorDashboard {
  #views;
  #phases;
  #report;
  #gapList;
  #pending = false;
  #tick = null;

  constructor(root, { onPhase = null, onReportRequest = null, now = () => Date.now(), tickMs = 1000 } = {}) {
    this.alerts = new AlertBook();
    this.score = new ScoreBook();
    this.heat = new HeatGrid();
    this.timeline = new Timeline();
    this.liveness = new Liveness({ now });
    this.seqs = new SeqTracker();

    const section = (name, title) => {
      const body = el("div", { class: "body" });
      return { body, node: el("section", { class: `proctor-panel ${name}`, "data-panel": name }, el("h2", {}, title), body) };
    };
    const liveness = section("liveness", "Agent");
    const alerts = section("alerts", "Alerts");
    const score = section("score", "Integrity score");
    const heatmap = section("heatmap", "Gaze");
    const timeline = section("timeline", "Timeline");
    const phases = section("phases", "Phases");
    const report = section("report", "Report");
    this.#gapList = el("ul", { class: "gaps" });
    liveness.body.after(this.#gapList);
    root.classList.add("proctor-dashboard");
    root.replaceChildren(liveness.node, score.node, alerts.node, heatmap.node, timeline.node, phases.node, report.node);

    this.#views = {
      liveness: new LivenessView(liveness.body), alerts: new AlertsView(alerts.body), score: new ScoreView(score.body),
      heatmap: new HeatmapView(heatmap.body), timeline: new TimelineView(timeline.body),
    };
    this.#phases = new PhaseMarker(phases.body, onPhase);
    this.#report = new ReportView(report.body, onReportRequest);
    this.#render();
    if (tickMs > 0) this.#tick = setInterval(() => this.#views.liveness.render(this.liveness), tickMs);
  }

  handle(message) {
    switch (message?.type) {
      case "agent-event": this.#event(message.event); break;
      case "agent-gap": this.seqs.announce(message.gap, Date.now()); break;
      case "agent-dropped": this.seqs.dropped(message.dropped); break;
      case "agent-heartbeat": this.liveness.heartbeat(); break;
      case "agent-state": this.liveness.agentState(message.state, message.reason ?? null); break;
      case "agent-calibration": this.heat.calibration(message.calibration); break;
      case "phase-ack": this.#phases.acknowledge(message); return;
      case "report":
        this.score.useSummary(message.report?.integrity?.summary);
        this.#report.render(message.report);
        break;
      case "report-declined": this.#report.declined(message.reason); return;
      default: return;
    }
    this.#schedule();
  }

  reportRequested() { this.#report.waiting(true); }

  close() { clearInterval(this.#tick); }

  #event(event) {
    if (!event || typeof event !== "object") return;
    const gap = this.seqs.observe(event.seq);
    if (gap) this.timeline.gap(Date.parse(event.ts), describeGap(gap));
    this.liveness.observe(event);
    this.alerts.observe(event);
    this.score.observe(event);
    this.heat.observe(event);
    this.timeline.observe(event);
    // The state the interview began in (plugin states, monitors), published before the dashboard listened.
    if (event.topic === "integrity.context") {
      for (const before of event.data?.events ?? []) {
        this.liveness.seed(before);
        this.heat.seed(before);
      }
    }
  }

  // Events come in bursts (a replay, 30 samples a second): draw once per frame at most.
  #schedule() {
    if (this.#pending) return;
    this.#pending = true;
    setTimeout(() => { this.#pending = false; this.#render(); }, 50);
  }

  #render() {
    this.#views.liveness.render(this.liveness);
    this.#views.alerts.render(this.alerts);
    this.#views.score.render(this.score.current());
    this.#views.heatmap.render(this.heat);
    this.#views.timeline.render(this.timeline);
    const gaps = this.seqs.gaps;
    this.#gapList.replaceChildren(...gaps.map((g) => el("li", { class: "gap" }, describeGap(g))));
    this.#gapList.dataset.count = String(gaps.length);
  }
}
