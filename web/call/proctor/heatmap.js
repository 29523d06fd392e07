// heatmap.js: where on the screen the interviewee looked, live. Only calibrated points count (gaze.sample's
// `screen`, CSS pixels of the calibrated screen, null before calibration). Dwell follows the report's rule
// (docs/report.md, Gaze analytics): each sample counts from its time to the next sample's, at most 1 s.
// The grid is the report's too: 32 columns and as many rows as the screen's aspect gives (1920 × 1080: 18),
// drawn over the primary monitor of the newest `screen.monitors`, or without one over the largest point
// seen (`gaze_extent`, said under the map). Pure model (HeatGrid, binDwell) and a canvas view.

import { el } from "./dom.js";

export const COLUMNS = 32;
export const MAX_DWELL_MS = 1000;
const BUCKET_PX = 4; // points are kept at this resolution, so the map can be re-binned when the screen changes

export class HeatGrid {
  #dwell = new Map(); // "bx,by" → ms
  #last = null; // {x, y, t} of the previous calibrated sample
  monitor = null; // {width, height, name}
  calibrated = null; // the calibration's screen {width, height} and accuracy, from the interviewee's page
  extent = { width: 0, height: 0 };
  samples = 0;

  /** gaze.sample and screen.monitors events; the rest is ignored. */
  observe(event) {
    if (event?.topic === "screen.monitors") {
      const monitors = event.data?.monitors ?? [];
      const primary = monitors.find((m) => m.primary) ?? monitors[0];
      if (primary?.width > 0 && primary?.height > 0) this.monitor = { width: primary.width, height: primary.height, name: primary.name };
      return;
    }
    if (event?.topic !== "gaze.sample") return;
    const t = Date.parse(event.ts);
    const point = event.data?.screen;
    if (this.#last && Number.isFinite(t)) {
      const ms = Math.min(Math.max(0, t - this.#last.t), MAX_DWELL_MS);
      if (ms > 0) this.add(this.#last.x, this.#last.y, ms);
    }
    this.#last = Array.isArray(point) && Number.isFinite(t) ? { x: point[0], y: point[1], t } : null;
    if (Array.isArray(point)) {
      this.samples += 1;
      this.extent.width = Math.max(this.extent.width, Math.ceil(point[0]));
      this.extent.height = Math.max(this.extent.height, Math.ceil(point[1]));
    }
  }

  /** The monitors from before the dashboard listened (integrity.context): kept unless newer ones came. */
  seed(event) { if (!this.monitor) this.observe(event?.topic === "screen.monitors" ? event : null); }

  add(x, y, ms) {
    const key = `${Math.floor(x / BUCKET_PX)},${Math.floor(y / BUCKET_PX)}`;
    this.#dwell.set(key, (this.#dwell.get(key) ?? 0) + ms);
  }

  /** The interviewee's calibration (runCalibration's result): its screen is the points' own space. */
  calibration(result) {
    const screen = result?.screen;
    this.calibrated = {
      width: screen?.width > 0 ? screen.width : null, height: screen?.height > 0 ? screen.height : null,
      rating: result?.rating ?? null, accuracy_deg: result?.accuracy_deg ?? null, accuracy_px: result?.accuracy_px ?? null,
    };
  }

  /**
   * The screen the map is drawn on: {width, height, source: "monitor" | "calibration" | "gaze_extent"} or
   * null. The monitor first, as the report draws it; then the calibrated screen; then the points' extent.
   */
  screen() {
    if (this.monitor) return { ...this.monitor, source: "monitor" };
    if (this.calibrated?.width && this.calibrated?.height) {
      return { width: this.calibrated.width, height: this.calibrated.height, source: "calibration" };
    }
    if (this.extent.width > 0 && this.extent.height > 0) return { ...this.extent, source: "gaze_extent" };
    return null;
  }

  entries() {
    return [...this.#dwell.entries()].map(([key, ms]) => {
      const [bx, by] = key.split(",").map(Number);
      return { x: (bx + 0.5) * BUCKET_PX, y: (by + 0.5) * BUCKET_PX, ms };
    });
  }

  /** {columns, rows, cells (ms, row by row), outside_ms, peak, screen} or null without a screen. */
  bins() {
    const screen = this.screen();
    return screen ? { ...binDwell(this.entries(), screen), screen } : null;
  }
}

/** Rows for a screen: COLUMNS × its aspect, at least 1 (1920 × 1080 → 18). */
export function rowsFor(screen, columns = COLUMNS) {
  return Math.max(1, Math.round((columns * screen.height) / screen.width));
}

/** Bins dwell entries ({x, y, ms}) over `screen`; points off it count as outside. */
export function binDwell(entries, screen, columns = COLUMNS) {
  const rows = rowsFor(screen, columns);
  const cells = new Array(columns * rows).fill(0);
  let outside = 0;
  for (const { x, y, ms } of entries) {
    if (x < 0 || y < 0 || x >= screen.width || y >= screen.height) { outside += ms; continue; }
    const column = Math.min(columns - 1, Math.floor((x / screen.width) * columns));
    const row = Math.min(rows - 1, Math.floor((y / screen.height) * rows));
    cells[row * columns + column] += ms;
  }
  return { columns, rows, cells, outside_ms: outside, peak: Math.max(0, ...cells) };
}

/** The map: a canvas with the screen's outline and the cells shaded by dwell, and a line saying on what. */
export class HeatmapView {
  constructor(root) {
    this.canvas = el("canvas", { class: "heatmap", width: 480, height: 270, role: "img", "aria-label": "gaze heatmap" });
    this.caption = el("p", { class: "caption" });
    root.replaceChildren(this.canvas, this.caption);
  }

  render(grid) {
    const bins = grid.bins();
    const context = this.canvas.getContext("2d");
    this.canvas.hidden = !bins;
    if (!bins) {
      this.canvas.dataset.state = "empty";
      context?.clearRect(0, 0, this.canvas.width, this.canvas.height);
      this.caption.textContent = "no calibrated gaze yet: the map fills once the interviewee has calibrated";
      return;
    }
    const width = this.canvas.width;
    const height = Math.max(1, Math.round((width * bins.screen.height) / bins.screen.width));
    if (this.canvas.height !== height) this.canvas.height = height;
    this.canvas.dataset.state = bins.peak > 0 ? "filled" : "empty";
    if (!context) return;
    context.fillStyle = "#f8fafc";
    context.fillRect(0, 0, width, height);
    const cw = width / bins.columns, ch = height / bins.rows;
    for (let i = 0; i < bins.cells.length; i += 1) {
      const ms = bins.cells[i];
      if (ms <= 0) continue;
      const share = ms / bins.peak;
      context.fillStyle = `rgba(220, 38, 38, ${(0.15 + 0.85 * share).toFixed(3)})`;
      context.fillRect((i % bins.columns) * cw, Math.floor(i / bins.columns) * ch, Math.ceil(cw), Math.ceil(ch));
    }
    context.strokeStyle = "#334155";
    context.lineWidth = 2;
    context.strokeRect(1, 1, width - 2, height - 2);
    const size = `${bins.screen.width} × ${bins.screen.height}`;
    const where = {
      monitor: `over ${bins.screen.name ?? "the primary monitor"} (${size})`,
      calibration: `over the calibrated screen (${size})`,
      gaze_extent: `over the largest point seen (${size}), no monitor layout received`,
    }[bins.screen.source];
    const outside = bins.outside_ms > 0 ? `; ${(bins.outside_ms / 1000).toFixed(1)} s off the screen` : "";
    this.caption.textContent = `${grid.samples} calibrated samples ${where}${outside}.${accuracy(grid.calibrated)}`;
  }
}

/** " Calibration: fair, about 2.9° (115 px)." or "" when the page sent none. */
function accuracy(calibrated) {
  if (!calibrated || !Number.isFinite(calibrated.accuracy_deg)) return "";
  const px = Number.isFinite(calibrated.accuracy_px) ? ` (${Math.round(calibrated.accuracy_px)} px)` : "";
  return ` Calibration: ${calibrated.rating ?? "unrated"}, about ${calibrated.accuracy_deg.toFixed(1)}°${px}.`;
}
