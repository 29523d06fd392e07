// timeline.js: the interview on one time axis, in the agent's time (the events' `ts`): a row of phases, a
// row of alerts (bars from start to end, coloured by severity), a row of the other notable events (ticks;
// the high-rate samples and heartbeats are left out) and a row of gaps, drawn where events are missing.
// Pure model (Timeline) and an SVG view (attributes only: no style, for the strict CSP).

import { svg } from "./dom.js";

/** Topics too frequent to draw one by one. */
const BACKGROUND = new Set(["gaze.sample", "heartbeat.tick", "gaze.heatmap", "sysinfo.load"]);
const MAX_MARKS = 400;

export class Timeline {
  start = null; // ms of the first event
  end = null; // ms of the newest event
  phases = []; // {t, name}
  alerts = new Map(); // id → {start, end, severity, message}
  marks = []; // {t, topic}
  gaps = []; // {t, text}

  observe(event) {
    const t = Date.parse(event?.ts);
    if (!Number.isFinite(t)) return;
    if (this.start === null || event.topic === "interview.started") this.start = this.start === null ? t : Math.min(this.start, t);
    this.end = this.end === null ? t : Math.max(this.end, t);
    const data = event.data ?? {};
    if (event.topic === "interview.phase") this.phases.push({ t, name: data.name });
    else if (event.topic === "alert") {
      const start = Date.parse(data.started_at);
      const end = data.ended_at ? Date.parse(data.ended_at) : null;
      this.alerts.set(data.alert, { start: Number.isFinite(start) ? start : t, end, severity: data.severity, message: data.message });
    } else if (!BACKGROUND.has(event.topic)) {
      this.marks.push({ t, topic: event.topic });
      if (this.marks.length > MAX_MARKS) this.marks.shift();
    }
  }

  /** A gap revealed at the event of time `t` (ms); `text` says what is missing. */
  gap(t, text) { if (Number.isFinite(t)) this.gaps.push({ t, text }); }

  /** x in [0, 1] for a time, over the span so far. */
  position(t) {
    if (this.start === null || this.end === null || this.end <= this.start) return 0;
    return Math.min(1, Math.max(0, (t - this.start) / (this.end - this.start)));
  }
}

const WIDTH = 600, ROW = 18, LABEL = 70, ROWS = ["phases", "alerts", "events", "gaps"];

export class TimelineView {
  constructor(root) {
    this.svg = svg("svg", { class: "timeline", viewBox: `0 0 ${WIDTH} ${ROW * ROWS.length + 16}`, role: "img", "aria-label": "timeline" });
    root.replaceChildren(this.svg);
  }

  render(model) {
    const span = WIDTH - LABEL - 4;
    const x = (t) => LABEL + model.position(t) * span;
    const rowY = (name) => ROWS.indexOf(name) * ROW;
    const nodes = ROWS.map((name) => svg("text", { x: 0, y: rowY(name) + 13, class: "row-label" }, name));
    model.phases.forEach((p, i) => {
      const next = model.phases[i + 1]?.t ?? model.end;
      nodes.push(svg("rect", { x: x(p.t), y: rowY("phases") + 2, width: Math.max(1, x(next) - x(p.t)), height: ROW - 4, class: `phase phase-${i % 2}` }));
      // A phase that begins near the end has its name written leftwards from the axis' end, to stay visible.
      const nearEnd = x(p.t) > WIDTH - 90;
      nodes.push(svg("text", { x: nearEnd ? WIDTH - 4 : x(p.t) + 2, y: rowY("phases") + 13, class: nearEnd ? "phase-label end" : "phase-label" }, p.name));
    });
    for (const [id, a] of model.alerts) {
      const bar = svg("rect", {
        x: x(a.start), y: rowY("alerts") + 3, width: Math.max(3, x(a.end ?? model.end) - x(a.start)), height: ROW - 6,
        class: `alert-bar severity-${a.severity}`, "data-alert": id,
      });
      bar.append(svg("title", {}, `${id}: ${a.message}`));
      nodes.push(bar);
    }
    for (const m of model.marks) {
      const tick = svg("line", { x1: x(m.t), x2: x(m.t), y1: rowY("events") + 3, y2: rowY("events") + ROW - 3, class: "mark" });
      tick.append(svg("title", {}, m.topic));
      nodes.push(tick);
    }
    for (const g of model.gaps) {
      const gap = svg("rect", { x: x(g.t) - 3, y: rowY("gaps") + 2, width: 6, height: ROW - 4, class: "gap" });
      gap.append(svg("title", {}, g.text));
      nodes.push(gap);
    }
    const total = model.start === null ? 0 : (model.end - model.start) / 1000;
    nodes.push(svg("text", { x: LABEL, y: ROW * ROWS.length + 12, class: "axis" }, "start"));
    nodes.push(svg("text", { x: WIDTH - 4, y: ROW * ROWS.length + 12, class: "axis end" }, `${Math.round(total)} s`));
    this.svg.replaceChildren(...nodes);
    this.svg.dataset.gaps = String(model.gaps.length);
  }
}
