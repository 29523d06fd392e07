/**
 * calibration.js — the interviewee's gaze calibration, a drop-in full-screen page for the call page.
 *
 * An ES module with no dependencies and no build step. It drives the gaze plugin's calibration requests
 * (calibration.start / collect / fit / validate, docs/topics.json `gaze.calibration`) through a connected
 * ProctorClient (./proctor-client.js), and draws everything in its own shadow DOM, so the page's CSS
 * cannot reach in and its CSS cannot leak out. No inline `style` attributes, no innerHTML, no eval.
 *
 *   import { runCalibration, liveGazeDot } from "./calibration.js";
 *   try {
 *     const result = await runCalibration(client);   // client: connected and identified
 *     report(result.rating, result.accuracy_px, result.accuracy_deg);
 *   } catch (error) {
 *     explain(error.code);                            // cancelled, agent_gone, not_running, timeout, ...
 *   }
 *
 * runCalibration(client, options) shows an explanation and a Start button, goes full screen (or calibrates
 * the browser window when full screen is refused, and says so), moves a dot over 9 fitting targets and then
 * 4 validation targets, and shows the accuracy with Redo and Done. It resolves on Done with
 *   {accuracy_px, accuracy_deg, targets: [{index, x, y, error_px}], rating: "good"|"fair"|"poor",
 *    training_error_px, fit_samples, screen: {width, height, fullscreen}}
 * and rejects with a CalibrationError whose `code` is one of
 *   cancelled      Esc, the Cancel/Close button, or full screen left while the dots ran
 *   agent_gone     the connection to the agent closed, or did not come back within reconnectGraceMs
 *   not_running    the gaze plugin is not running (or not configured)
 *   timeout        the plugin never reported a target as collected (no camera frames?)
 *   calibration    the plugin could not fit or validate (the message says why) and the person chose Close
 *   not_connected  the client was not identified when runCalibration was called
 *
 * Options (all optional)
 *   autoStart        false: skip the explanation and Start button (full screen then needs no gesture, so it
 *                    is usually refused and the window is calibrated)
 *   settleMs, collectMs   passed to calibration.start (the plugin's defaults: 400 and 800 ms)
 *   screenWidthMm, distanceMm   the screen's physical width and the viewing distance, for degrees
 *                    (without them the plugin assumes 96 CSS px per inch and 600 mm)
 *   thresholds       {goodDeg: 2, fairDeg: 4}: mean validation error at or below goodDeg is "good", at or
 *                    below fairDeg "fair", above it "poor"
 *   attempts         3: tries per target before it is skipped
 *   minSamples       3: fewer usable frames than this for a target and it is shown again
 *   collectGraceMs   2500: how long after a collection window closes to wait for its event
 *   reconnectGraceMs 15000: how long to wait for a dropped connection to come back
 *   autoFinishMs     null: on the result (or failure) screen, choose Done (or Close) by itself after this
 *                    many ms (tests, kiosks)
 *   onProgress       ({phase, ...}) => void: intro, started, target, collected, fitted, validated, result,
 *                    failed
 *   container        where the overlay is attached (default: the full-screen element, else document.body)
 *   styleNonce       a CSP nonce for the <style> fallback used where constructable stylesheets are missing
 *
 * It subscribes the client to `gaze.calibration` (and `gaze.sample` while the result screen shows the live
 * dot) on top of the page's own topics when they do not already cover them, and puts the page's
 * subscription back before it settles, unless the page changed it meanwhile.
 *
 * liveGazeDot(client, {parent}) shows a dot where the calibrated gaze falls (gaze.sample `screen`), hidden
 * while there is no calibrated point. Returns {element, ready, remove()}: `ready` settles once subscribed,
 * remove() takes the dot away and resolves once the subscription is back as it was.
 * Coordinates are the calibrated screen's CSS pixels: exact on a full-screen page.
 */

const DEFAULTS = {
  autoStart: false, settleMs: undefined, collectMs: undefined, screenWidthMm: undefined, distanceMm: undefined,
  attempts: 3, minSamples: 3, collectGraceMs: 2_500, reconnectGraceMs: 15_000, autoFinishMs: null,
  onProgress: null, container: null, styleNonce: undefined,
};
const DEFAULT_THRESHOLDS = { goodDeg: 2, fairDeg: 4 };
const CONNECTION_LOST_CODES = new Set(["closed", "not_connected", "connection_lost", "agent_stopping"]);
const FIRST_LOOK_MS = 900; // time for the eyes to find the dot before it starts moving
const FEEDBACK_MS = 250; // long enough to see the point's colour change, short enough not to slow the run
const SKIPPED_IN_A_ROW_LIMIT = 2; // the eyes are lost, not one point: stop rather than try every target
const WINDOW_ONLY_NOTE = "Full screen was not allowed, so this browser window was calibrated instead: " +
  "keep the window where it is and do not resize it during the interview.";

export class CalibrationError extends Error {
  /** @param {string} code see the list at the top of this file */
  constructor(code, message, details = {}) {
    super(message);
    this.name = "CalibrationError";
    this.code = code;
    Object.assign(this, details);
  }
}

// ---------------------------------------------------------------------------------------------------------
// The run

export async function runCalibration(client, options = {}) {
  const settings = { ...DEFAULTS, ...options, thresholds: { ...DEFAULT_THRESHOLDS, ...options.thresholds } };
  if (client?.state !== "identified") {
    throw new CalibrationError("not_connected", "the proctor client is not connected: await client.connect() first");
  }
  await gazeRequest(client, "calibration.status", {}, settings); // fails fast when the plugin is missing
  const restoreTopics = await ensureTopics(client, ["gaze.calibration"]).catch((error) => { throw asCalibrationError(error); });
  const stop = new AbortController();
  const overlay = new CalibrationOverlay(settings, () => stop.abort(cancelled("Esc was pressed")));
  const unwatch = watchConnection(client, overlay, stop);
  try {
    return await calibrateUntilAccepted(client, overlay, settings, stop.signal);
  } catch (error) {
    const failure = asCalibrationError(error);
    report(settings, "failed", { code: failure.code, message: failure.message });
    if (!["agent_gone", "not_running", "not_connected"].includes(failure.code)) stopOnAgent(client);
    throw failure;
  } finally {
    unwatch();
    await overlay.close(); // first: the live dot's own subscription change is undone before ours
    await restoreTopics().catch(() => {}); // the connection may be gone; nothing to put back then
  }
}

/** Passes until the person accepts a result (Done) or gives up. */
async function calibrateUntilAccepted(client, overlay, settings, signal) {
  let note = null;
  let ask = !settings.autoStart;
  let fullscreenRequest = null;
  for (;;) {
    if (ask) {
      report(settings, "intro", {});
      const choice = await overlay.showIntro(note, signal);
      if (choice.id === "cancel") throw cancelled("the Cancel button was chosen");
      fullscreenRequest = choice.fullscreen;
    }
    const screen = await overlay.measureScreen(fullscreenRequest ?? overlay.requestFullscreen(), signal);
    fullscreenRequest = null;
    let choice;
    try {
      const result = await calibrateOnce(client, overlay, settings, screen, signal);
      report(settings, "result", { result });
      choice = await overlay.showResult(result, client, signal);
      if (choice.id === "done") return result;
    } catch (error) {
      if (error.code === "geometry_changed") {
        [note, ask] = [error.message, true];
        continue;
      }
      if (error.code !== "calibration") throw error;
      report(settings, "failed", { code: error.code, message: error.message, recoverable: true });
      choice = await overlay.showFailure(error, signal);
      if (choice.id === "close") throw error;
    }
    [note, ask, fullscreenRequest] = [null, false, choice.fullscreen];
  }
}

/** One calibration: start, fitting targets, fit, validation targets, validate. */
async function calibrateOnce(client, overlay, settings, screen, signal) {
  const pass = watchGeometry(overlay, screen, signal);
  try {
    const plan = await gazeRequest(client, "calibration.start", startParams(settings, screen), settings, pass.signal);
    report(settings, "started", { targets: plan.targets, settle_ms: plan.settle_ms, collect_ms: plan.collect_ms, screen });
    overlay.showStage(screen.fullscreen ? null : WINDOW_ONLY_NOTE);
    await overlay.introduceDot({ x: screen.width / 2, y: screen.height / 2 }, pass.signal);

    const fitting = alongSmoothPath(plan.targets.filter((target) => target.role === "fit"));
    await collectTargets(client, overlay, settings, fitting, "Calibrating", pass.signal);
    const fit = await gazeRequest(client, "calibration.fit", {}, settings, pass.signal);
    report(settings, "fitted", fit);

    overlay.say("Almost done: a few more points to check the accuracy");
    await sleep(FIRST_LOOK_MS, pass.signal);
    const checking = plan.targets.filter((target) => target.role === "validate");
    await collectTargets(client, overlay, settings, checking, "Checking", pass.signal);
    const validation = await gazeRequest(client, "calibration.validate", {}, settings, pass.signal);
    report(settings, "validated", validation);
    return describeResult(validation, fit, plan.targets, screen, settings.thresholds);
  } finally {
    pass.dispose();
  }
}

function startParams(settings, screen) {
  const params = { screen: { width: screen.width, height: screen.height } };
  if (settings.screenWidthMm != null) params.screen.width_mm = settings.screenWidthMm;
  if (settings.distanceMm != null) params.screen.distance_mm = settings.distanceMm;
  if (settings.settleMs != null) params.settle_ms = settings.settleMs;
  if (settings.collectMs != null) params.collect_ms = settings.collectMs;
  return params;
}

/** The plugin lists the 3x3 grid row by row; a snake through it keeps every move short. */
function alongSmoothPath(targets) {
  const rows = new Map();
  for (const target of targets) rows.set(target.y, [...(rows.get(target.y) ?? []), target]);
  return [...rows.keys()].sort((a, b) => a - b).flatMap((y, row) => {
    const line = rows.get(y).sort((a, b) => a.x - b.x);
    return row % 2 ? line.reverse() : line;
  });
}

async function collectTargets(client, overlay, settings, targets, label, signal) {
  let skippedInARow = 0;
  for (const [position, target] of targets.entries()) {
    overlay.say(`${label}: point ${position + 1} of ${targets.length}, look at the centre of the dot`);
    const outcome = await collectTarget(client, overlay, settings, target, signal);
    overlay.markPoint(target, outcome.ok);
    skippedInARow = outcome.ok ? 0 : skippedInARow + 1;
    if (skippedInARow >= SKIPPED_IN_A_ROW_LIMIT) {
      throw new CalibrationError("calibration", `your eyes were not seen at ${skippedInARow} points in a row`);
    }
  }
}

/** Shows one target until the plugin has enough frames for it, or gives up on it after `attempts`. */
async function collectTarget(client, overlay, settings, target, signal) {
  let heardBack = false;
  for (let attempt = 1; attempt <= settings.attempts; attempt++) {
    report(settings, "target", { index: target.index, role: target.role, x: target.x, y: target.y, attempt });
    await overlay.moveDotTo(target, signal);
    const samples = await collectOnce(client, overlay, settings, target.index, signal);
    heardBack ||= samples !== null;
    const ok = samples !== null && samples >= settings.minSamples;
    report(settings, "collected", { index: target.index, samples, ok, attempt });
    await overlay.showPointFeedback(ok, signal);
    if (ok) return { index: target.index, samples, ok };
    overlay.say(samples === null
      ? "No answer from the eye tracker for this point; trying it again."
      : "Your eyes were not seen clearly at this point: keep your face in view and look at the dot again.");
  }
  if (!heardBack) {
    throw new CalibrationError("timeout",
      `the gaze plugin never reported target ${target.index} as collected: is the camera delivering frames?`);
  }
  return { index: target.index, samples: 0, ok: false };
}

/** One collection window for `index`: the number of usable frames, or null when no event came. */
async function collectOnce(client, overlay, settings, index, signal) {
  const arrival = nextCollectedEvent(client, index);
  try {
    const window = await requestCollect(client, index, settings, signal);
    if (!window) return null;
    overlay.holdDot(window);
    const event = await withTimeout(arrival.promise, window.ends_in_ms + settings.collectGraceMs, signal);
    return event ? event.samples : null;
  } finally {
    arrival.stop();
  }
}

/** calibration.collect, or null when the plugin is still busy with an earlier window that never closed. */
async function requestCollect(client, index, settings, signal) {
  try {
    return await gazeRequest(client, "calibration.collect", { index }, settings, signal);
  } catch (error) {
    if (!PLUGIN_CALIBRATION_CODES.has(error.code)) throw error;
    const status = await gazeRequest(client, "calibration.status", {}, settings, signal);
    if (status.state === "idle") {
      throw new CalibrationError("calibration",
        "the calibration was stopped on the agent (another page started one, or the gaze plugin restarted)");
    }
    if (status.state !== "collecting") throw error;
    await sleep(settings.collectGraceMs, signal); // its window closes with the next camera frame
    return null;
  }
}

/**
 * Waits for `gaze.calibration` {phase: "collected", index}. Only events newer than the request count: the
 * event names no calibration run, so one replayed from an earlier run must not be taken for this one.
 */
function nextCollectedEvent(client, index) {
  const after = client.lastSeq;
  let stop;
  const promise = new Promise((resolve) => {
    const listener = ({ detail }) => {
      const { phase, index: collected } = detail.data ?? {};
      if (phase === "collected" && collected === index && (after == null || detail.seq > after)) resolve(detail.data);
    };
    client.addEventListener("event:gaze.calibration", listener);
    stop = () => client.removeEventListener("event:gaze.calibration", listener);
  });
  return { promise, stop };
}

/** The plugin's answer, with each validation target's position (the answer gives only its index). */
function describeResult(validation, fit, plan, screen, thresholds) {
  const positions = new Map(plan.map((target) => [target.index, target]));
  const targets = validation.targets.map(({ index, error_px }) => ({ index, x: positions.get(index)?.x, y: positions.get(index)?.y, error_px }));
  return {
    accuracy_px: validation.accuracy_px, accuracy_deg: validation.accuracy_deg, targets,
    rating: rateAccuracy(validation.accuracy_deg, thresholds),
    training_error_px: fit.training_error_px, fit_samples: fit.samples, screen,
  };
}

/** Degrees, not pixels: they mean the same on every screen size. */
export function rateAccuracy(degrees, { goodDeg, fairDeg } = DEFAULT_THRESHOLDS) {
  if (degrees <= goodDeg) return "good";
  if (degrees <= fairDeg) return "fair";
  return "poor";
}

function report(settings, phase, detail) {
  try {
    settings.onProgress?.({ phase, ...detail });
  } catch (error) {
    console.error("calibration onProgress failed", error); // the page's bug must not stop the calibration
  }
}

// ---------------------------------------------------------------------------------------------------------
// Talking to the agent

/** A request to the gaze plugin; waits out a reconnect and asks again; errors become CalibrationErrors. */
async function gazeRequest(client, method, params, settings, signal) {
  for (let tries = 0; ; tries++) {
    try {
      return await abortable(client.request("gaze", method, params), signal);
    } catch (error) {
      if (error instanceof CalibrationError || error === signal?.reason) throw error;
      if (!CONNECTION_LOST_CODES.has(error.code) || tries >= 2) throw asCalibrationError(error);
      await whenIdentified(client, settings.reconnectGraceMs, signal);
    }
  }
}

/** The error codes the gaze plugin answers a calibration request with (docs/gaze.md). */
const PLUGIN_CALIBRATION_CODES = new Set([
  "not_started", "no_such_target", "busy", "not_enough_targets", "not_fitted", "fit_failed", "invalid_params",
]);

function asCalibrationError(error) {
  if (error instanceof CalibrationError) return error;
  const message = error?.message ?? String(error);
  switch (error?.code) {
    case "not_running": case "unknown_target":
      return new CalibrationError("not_running", `the gaze plugin is not running: ${message}`, { cause: error });
    case "timeout":
      return new CalibrationError("timeout", `the agent did not answer in time: ${message}`, { cause: error });
    case "calibration":
      return new CalibrationError("calibration", message, { cause: error });
    case "not_started": case "no_such_target": case "busy": case "not_enough_targets": case "not_fitted":
    case "fit_failed": case "invalid_params":
      return new CalibrationError("calibration", message, { cause: error });
    default:
      if (CONNECTION_LOST_CODES.has(error?.code) || error?.code === "session_revoked" || error?.code === "session_ended") {
        return new CalibrationError("agent_gone", `lost the proctoring agent: ${message}`, { cause: error });
      }
      return new CalibrationError(error?.code ?? "failed", message, { cause: error });
  }
}

function cancelled(why) {
  return new CalibrationError("cancelled", `the calibration was cancelled: ${why}`);
}

/** Resolves once the client is identified again; rejects with agent_gone after `graceMs` or a final close. */
function whenIdentified(client, graceMs, signal) {
  if (client.state === "identified") return Promise.resolve();
  if (client.state === "closed") return Promise.reject(new CalibrationError("agent_gone", "the connection to the agent is closed"));
  return new Promise((resolve, reject) => {
    const finish = (settle) => {
      clearTimeout(timer);
      client.removeEventListener("state", onState);
      signal?.removeEventListener("abort", onAbort);
      settle();
    };
    const onState = ({ detail }) => {
      if (detail.state === "identified") finish(resolve);
      if (detail.state === "closed") finish(() => reject(new CalibrationError("agent_gone", `the agent is gone: ${detail.reason ?? "closed"}`)));
    };
    const onAbort = () => finish(() => reject(signal.reason));
    const timer = setTimeout(() => finish(() => reject(new CalibrationError("agent_gone",
      `the agent did not come back within ${Math.round(graceMs / 1000)} s`))), graceMs);
    client.addEventListener("state", onState);
    signal?.addEventListener("abort", onAbort);
  });
}

/** A final close ends the run at once; a reconnect is only announced (requests wait for it). */
function watchConnection(client, overlay, stop) {
  const onState = ({ detail }) => {
    if (detail.state === "closed") stop.abort(new CalibrationError("agent_gone", `the agent is gone: ${detail.reason ?? "closed"}`));
    overlay.setConnectionNote(detail.state === "reconnecting" ? "Lost the connection to the proctoring agent; reconnecting…" : null);
  };
  client.addEventListener("state", onState);
  return () => client.removeEventListener("state", onState);
}

/** Best effort: leave the plugin idle rather than waiting on a target nobody shows. */
function stopOnAgent(client) {
  client.request("gaze", "calibration.cancel", {}, { timeoutMs: 3_000 }).catch(() => {});
}

/** Adds `wanted` to the page's subscription if its patterns miss them; returns how to undo that. */
async function ensureTopics(client, wanted) {
  const before = (await client.request("host", "session.info")).subscribed ?? [];
  const missing = wanted.filter((topic) => !before.some((pattern) => patternCovers(pattern, topic)));
  if (!missing.length) return async () => {};
  const widened = [...before, ...missing];
  await client.subscribe(widened);
  return async () => {
    // Not connected: the client keeps the list for its next identify, so narrow it there.
    const now = client.state === "identified"
      ? (await client.request("host", "session.info", {}, { timeoutMs: 3_000 })).subscribed ?? []
      : client.topics;
    if (sameTopics(now, widened)) await client.subscribe(before); // the page changed it meanwhile: leave it
  };
}

function patternCovers(pattern, topic) {
  return pattern === "*" || pattern === topic || (pattern.endsWith(".*") && topic.startsWith(pattern.slice(0, -1)));
}

function sameTopics(a, b) {
  return a.length === b.length && [...a].sort().every((topic, i) => topic === [...b].sort()[i]);
}

// ---------------------------------------------------------------------------------------------------------
// Waiting

function sleep(ms, signal) {
  return abortable(new Promise((resolve) => setTimeout(resolve, ms)), signal);
}

/** The promise, or the signal's reason as soon as it aborts. */
function abortable(promise, signal) {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/** The promise's value, or null once `ms` have passed. */
function withTimeout(promise, ms, signal) {
  let timer;
  const expiry = new Promise((resolve) => { timer = setTimeout(() => resolve(null), ms); });
  return abortable(Promise.race([promise, expiry]), signal).finally(() => clearTimeout(timer));
}

function nextFrame() {
  return new Promise((resolve) => requestAnimationFrame(() => resolve()));
}

function prefersReducedMotion() {
  return globalThis.matchMedia?.("(prefers-reduced-motion: reduce)").matches ?? false;
}

/**
 * A signal for one pass: aborted with the run, when full screen is left (browsers keep Esc for that and
 * may not tell the page, so it counts as Esc), or when the window changes size (the targets no longer
 * match the screen).
 */
function watchGeometry(overlay, screen, signal) {
  const controller = new AbortController();
  const follow = () => controller.abort(signal.reason);
  const check = () => {
    if (screen.fullscreen && !document.fullscreenElement) {
      controller.abort(cancelled("full screen was left (Esc) while the dots were shown"));
      return;
    }
    const { width, height } = overlay.size();
    if (Math.abs(width - screen.width) > 2 || Math.abs(height - screen.height) > 2) {
      controller.abort(new CalibrationError("geometry_changed",
        "The window changed size during the calibration, so it has to start again. Keep the window as it is."));
    }
  };
  signal.addEventListener("abort", follow, { once: true });
  document.addEventListener("fullscreenchange", check);
  globalThis.addEventListener("resize", check);
  return {
    signal: controller.signal,
    dispose() {
      signal.removeEventListener("abort", follow);
      document.removeEventListener("fullscreenchange", check);
      globalThis.removeEventListener("resize", check);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// DOM helpers

function element(tag, { className, text, attributes = {} } = {}, children = []) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text != null) node.textContent = text;
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

function svgElement(tag, attributes) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

/** A shadow root with its own styles: a constructable sheet where possible (no CSP style-src needed). */
function shadowHost(className, css, nonce) {
  const host = element("div", { className });
  const root = host.attachShadow({ mode: "open" });
  if ("adoptedStyleSheets" in root && typeof CSSStyleSheet.prototype.replaceSync === "function") {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [sheet];
  } else {
    root.append(element("style", { text: css, attributes: nonce ? { nonce } : {} }));
  }
  return { host, root };
}

/** Positions by CSSOM (allowed under a strict CSP, unlike style attributes in markup). */
function placeAt(node, x, y) {
  node.style.transform = `translate(${x}px, ${y}px)`;
}

function formatNumber(value, digits = 0) {
  return Number(value).toLocaleString(undefined, { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

// ---------------------------------------------------------------------------------------------------------
// The overlay

const RATING_WORDS = {
  good: "Good: the interviewer can tell which part of the screen, down to a paragraph, you are looking at.",
  fair: "Fair: good enough to tell which part of the screen you are looking at, not which line.",
  poor: "Poor: only roughly where you look can be told. Redo it with your face evenly lit, " +
    "the camera at eye height and your head still.",
};

const OVERLAY_CSS = `
:host { all: initial; position: fixed; inset: 0; z-index: 2147483647; display: block;
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #f2f2f2; }
/* Mid grey: a very dark or very bright screen changes the pupils' size between calibration and interview. */
.overlay { position: absolute; inset: 0; background: #3b3e44; overflow: hidden; outline: none; cursor: default; }
.overlay.running { cursor: none; }
.panel { position: absolute; left: 50%; top: 50%; transform: translate(-50%, -50%); box-sizing: border-box;
  width: min(34rem, calc(100vw - 2rem)); max-height: calc(100vh - 2rem); overflow: auto; padding: 1.5rem 1.75rem;
  background: #24262a; border-radius: 12px; box-shadow: 0 12px 40px rgba(0, 0, 0, .45); z-index: 2; }
.panel[hidden], .stage[hidden], .status[hidden] { display: none; }
h2 { margin: 0 0 .75rem; font-size: 1.4rem; line-height: 1.25; font-weight: 650; }
p { margin: 0 0 .75rem; }
.detail { font-size: .875rem; color: #c4c7cc; }
.note { padding: .5rem .75rem; border-left: 4px solid #ffb020; background: rgba(255, 176, 32, .12); }
.badge { display: inline-block; padding: 0 .5rem; border-radius: 6px; font-weight: 700; color: #101214; }
.badge.good { background: #3ddc84; } .badge.fair { background: #ffb020; } .badge.poor { background: #ff6b6b; }
.buttons { display: flex; gap: .75rem; justify-content: flex-end; margin-top: 1.25rem; flex-wrap: wrap; }
button { font: inherit; min-height: 44px; padding: .5rem 1.25rem; border-radius: 8px; cursor: pointer;
  border: 1px solid #80858d; background: transparent; color: inherit; }
button.primary { background: #4cc2ff; border-color: #4cc2ff; color: #0b1a24; font-weight: 650; }
button:focus-visible { outline: 3px solid #ffffff; outline-offset: 2px; }
.stage { position: absolute; inset: 0; pointer-events: none; z-index: 3; }
.status { position: absolute; left: 50%; bottom: .5rem; transform: translateX(-50%); z-index: 4; margin: 0;
  max-width: calc(100vw - 2rem); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; padding: .3rem .9rem; border-radius: 999px; background: rgba(0, 0, 0, .35);
  font-size: .9rem; color: #e4e6ea; text-align: center; }
.status .connection { color: #ffb020; }
.window-note { position: absolute; left: 50%; top: .5rem; transform: translateX(-50%); z-index: 4; margin: 0;
  max-width: min(46rem, calc(100vw - 2rem)); font-size: .85rem; }
.dot { position: absolute; left: 0; top: 0; width: 0; height: 0; opacity: 0; transition: opacity .3s; }
.dot.visible { opacity: 1; }
.disc { position: absolute; left: -18px; top: -18px; width: 36px; height: 36px; border-radius: 50%;
  background: #f7f7f7; box-shadow: 0 0 0 2px rgba(0, 0, 0, .25); transition: background-color .15s; }
.pupil { position: absolute; left: -3px; top: -3px; width: 6px; height: 6px; border-radius: 50%; background: #111; }
.ring { position: absolute; left: -28px; top: -28px; width: 56px; height: 56px; transform: rotate(-90deg); overflow: visible; }
.ring circle { fill: none; stroke: #4cc2ff; stroke-width: 3; stroke-dasharray: 151; stroke-dashoffset: 151; }
.dot.ok .disc { background: #3ddc84; }
.dot.retry .disc { background: #ffb020; }
.mark { position: absolute; left: -5px; top: -5px; width: 10px; height: 10px; border-radius: 50%; }
.mark.ok { background: rgba(61, 220, 132, .7); }
.mark.missed { background: rgba(255, 107, 107, .8); }
figure { margin: .25rem 0 .75rem; }
figcaption { margin-top: .35rem; }
.map { position: relative; margin: 0 auto; overflow: hidden; border-radius: 6px;
  background: #3b3e44; border: 1px solid #5a5f67; }
.map .point { position: absolute; width: 8px; height: 8px; margin: -4px 0 0 -4px; border-radius: 50%; background: #f7f7f7; }
.map .error-ring { position: absolute; aspect-ratio: 1; transform: translate(-50%, -50%); border-radius: 50%;
  border: 2px dashed; box-sizing: border-box; }
.error-ring.good { border-color: #3ddc84; } .error-ring.fair { border-color: #ffb020; } .error-ring.poor { border-color: #ff6b6b; }
.map .error-label { position: absolute; transform: translate(6px, -120%); font-size: .75rem; white-space: nowrap; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
@media (prefers-reduced-motion: reduce) { .dot, .disc { transition: none; } }
`;

class CalibrationOverlay {
  #settings;
  #cancel;
  #host;
  #root;
  #dialog;
  #panel;
  #stage;
  #marks;
  #dot;
  #disc;
  #ringCircle;
  #status;
  #statusText;
  #connectionText;
  #windowNote;
  #announcer;
  #dotAt = null;
  #animations = [];
  #liveDot = null;
  #previousFocus;
  #pageOverflow;
  #onKeyDown = (event) => this.#handleKey(event);

  constructor(settings, cancel) {
    this.#settings = settings;
    this.#cancel = cancel;
    this.#previousFocus = document.activeElement;
    ({ host: this.#host, root: this.#root } = shadowHost("proctord-calibration", OVERLAY_CSS, settings.styleNonce));
    this.#buildDom();
    (settings.container ?? document.fullscreenElement ?? document.body).append(this.#host);
    document.addEventListener("keydown", this.#onKeyDown, true);
    // A page scrollbar would take width from the calibrated window when full screen is refused.
    this.#pageOverflow = document.documentElement.style.overflow;
    document.documentElement.style.overflow = "hidden";
  }

  #buildDom() {
    this.#panel = element("section", { className: "panel", attributes: { hidden: "" } });
    this.#marks = element("div");
    this.#buildDot();
    this.#stage = element("div", { className: "stage", attributes: { "aria-hidden": "true" } }, [this.#marks, this.#dot]);
    this.#statusText = element("span");
    this.#connectionText = element("span", { className: "connection" });
    this.#status = element("p", { className: "status", attributes: { hidden: "" } },
      [this.#statusText, this.#connectionText, element("span", { text: " · Esc stops" })]);
    this.#windowNote = element("p", { className: "window-note note", attributes: { hidden: "" } });
    this.#announcer = element("p", { className: "visually-hidden", attributes: { "aria-live": "polite" } });
    this.#dialog = element("div", {
      className: "overlay",
      attributes: { role: "dialog", "aria-modal": "true", "aria-label": "Eye-tracking calibration", tabindex: "-1" },
    }, [this.#panel, this.#stage, this.#status, this.#windowNote, this.#announcer]);
    this.#root.append(this.#dialog);
  }

  #buildDot() {
    this.#ringCircle = svgElement("circle", { cx: "28", cy: "28", r: "24" });
    const ring = svgElement("svg", { class: "ring", viewBox: "0 0 56 56" });
    ring.append(this.#ringCircle);
    this.#disc = element("div", { className: "disc" });
    this.#dot = element("div", { className: "dot" }, [ring, this.#disc, element("div", { className: "pupil" })]);
  }

  // --- keyboard and focus --------------------------------------------------------------------------------

  #handleKey(event) {
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      this.#cancel();
    } else if (event.key === "Tab") {
      this.#keepFocusInside(event);
    }
  }

  /** Tab cycles through the panel's buttons only: the page below is out of reach while this is open. */
  #keepFocusInside(event) {
    const buttons = this.#panel.hidden ? [] : [...this.#panel.querySelectorAll("button")];
    event.preventDefault();
    if (!buttons.length) return this.#dialog.focus();
    const current = buttons.indexOf(this.#root.activeElement);
    const next = (current + (event.shiftKey ? -1 : 1) + buttons.length) % buttons.length;
    buttons[next].focus();
  }

  // --- full screen and size ------------------------------------------------------------------------------

  /** Asks for full screen; resolves true or false, never rejects. Must start inside a click to succeed. */
  requestFullscreen() {
    if (document.fullscreenElement === this.#host) return Promise.resolve(true);
    if (!this.#host.requestFullscreen) return Promise.resolve(false);
    return this.#host.requestFullscreen({ navigationUI: "hide" }).then(() => true, () => false);
  }

  /** The calibrated area: the whole screen when full screen was granted, else the browser's viewport. */
  async measureScreen(fullscreenRequest, signal) {
    const granted = await abortable(fullscreenRequest, signal);
    if (granted) {
      // The viewport may grow a little after the promise: wait for its resize (or give up on it quickly).
      await abortable(Promise.race([
        new Promise((resolve) => globalThis.addEventListener("resize", resolve, { once: true })),
        new Promise((resolve) => setTimeout(resolve, 400)),
      ]), signal);
    }
    await nextFrame();
    await nextFrame();
    const { width, height } = this.size();
    return { width, height, fullscreen: document.fullscreenElement != null };
  }

  size() {
    const box = this.#host.getBoundingClientRect();
    return { width: Math.round(box.width), height: Math.round(box.height) };
  }

  // --- screens -------------------------------------------------------------------------------------------

  showIntro(note, signal) {
    const seconds = estimateSeconds(this.#settings);
    return this.#showPanel({
      title: "Calibrate the eye tracking",
      paragraphs: [
        "A dot will move around the screen. Follow it with your eyes and look at its centre until it moves on. " +
          "Sit as you will during the interview and keep your head still.",
        `It takes about ${seconds} seconds: 9 points to calibrate, then 4 to check the accuracy. ` +
          "The page goes full screen meanwhile; press Esc to stop at any time.",
        "The camera's images stay on this computer: only where you look is shared.",
      ],
      note,
      buttons: [{ id: "cancel", label: "Cancel" }, { id: "start", label: "Start", primary: true, fullscreen: true }],
    }, signal);
  }

  showResult(result, client, signal) {
    this.#liveDot = liveGazeDot(client, { parent: this.#stage });
    const rating = element("span", { className: `badge ${result.rating}`, text: result.rating });
    return this.#showPanel({
      title: "Calibration finished",
      lead: [element("span", { text: "Accuracy: " }), rating],
      paragraphs: [
        `Your gaze was measured on average ${formatNumber(result.accuracy_px)} pixels from the check points, ` +
          `about ${formatNumber(result.accuracy_deg, 1)}° of your field of view. ${RATING_WORDS[result.rating]}`,
      ],
      figure: accuracyMap(result, this.#settings.thresholds),
      details: [`${this.#distanceAssumption()} Fit: ${formatNumber(result.training_error_px)} px on the ` +
        `calibration points, from ${result.fit_samples} camera frames.`],
      note: result.screen.fullscreen ? null : WINDOW_ONLY_NOTE,
      buttons: [{ id: "redo", label: "Redo", fullscreen: true }, { id: "done", label: "Done", primary: true }],
      autoChoice: "done",
    }, signal);
  }

  showFailure(error, signal) {
    return this.#showPanel({
      title: "The calibration did not work",
      paragraphs: [
        `Why: ${error.message}.`,
        "Make sure your face is in view of the camera and evenly lit, then try again.",
      ],
      buttons: [{ id: "close", label: "Close" }, { id: "retry", label: "Try again", primary: true, fullscreen: true }],
      autoChoice: "close",
    }, signal);
  }

  #distanceAssumption() {
    const { distanceMm, screenWidthMm } = this.#settings;
    if (distanceMm != null && screenWidthMm != null) return `Degrees for a ${screenWidthMm} mm wide screen seen from ${distanceMm} mm.`;
    return "Degrees assume you sit about 60 cm from an ordinary screen.";
  }

  /** Shows a panel and resolves with {id, fullscreen} once a button is chosen. */
  #showPanel({ title, lead = null, paragraphs, figure = null, details = [], note = null, buttons, autoChoice = null }, signal) {
    this.#stopDot(); // a pass that ended early leaves its dot and marks behind
    this.#marks.replaceChildren();
    this.#dialog.classList.remove("running");
    this.#status.hidden = true;
    this.#windowNote.hidden = true;
    const heading = element("h2", { text: title, attributes: { id: "calibration-title" } });
    const body = [heading];
    if (lead) body.push(element("p", {}, lead));
    if (note) body.push(element("p", { className: "note", text: note }));
    body.push(...paragraphs.map((text) => element("p", { text })));
    if (figure) body.push(figure);
    body.push(...details.map((text) => element("p", { className: "detail", text })));
    return abortable(new Promise((resolve) => {
      let chosen = false;
      const choose = (button) => {
        if (chosen) return; // a double click must not ask for full screen twice
        chosen = true;
        resolve({ id: button.id, fullscreen: button.fullscreen ? this.requestFullscreen() : null });
      };
      const row = element("div", { className: "buttons" }, buttons.map((button) => {
        const node = element("button", { className: button.primary ? "primary" : "", text: button.label, attributes: { type: "button" } });
        node.addEventListener("click", () => choose(button)); // full screen is asked inside the click: it needs the gesture
        return node;
      }));
      this.#panel.replaceChildren(...body, row);
      this.#panel.hidden = false;
      this.#dialog.setAttribute("aria-labelledby", "calibration-title");
      row.querySelector(".primary")?.focus();
      const automatic = buttons.find((button) => button.id === autoChoice);
      if (automatic && this.#settings.autoFinishMs != null) setTimeout(() => choose(automatic), this.#settings.autoFinishMs);
    }), signal);
  }

  /** Hides the panel and shows the running calibration: dot, marks, status line. */
  showStage(windowNote) {
    this.#liveDot?.remove();
    this.#liveDot = null;
    this.#panel.hidden = true;
    this.#marks.replaceChildren();
    this.#dialog.removeAttribute("aria-labelledby");
    this.#dialog.classList.add("running");
    this.#status.hidden = false;
    this.#windowNote.textContent = windowNote ?? "";
    this.#windowNote.hidden = !windowNote;
    this.#dialog.focus();
  }

  say(text) {
    this.#statusText.textContent = text;
    this.#announcer.textContent = text;
  }

  setConnectionNote(text) {
    this.#connectionText.textContent = text ? ` · ${text}` : "";
  }

  // --- the dot -------------------------------------------------------------------------------------------

  async introduceDot(point, signal) {
    this.say("Follow the dot with your eyes.");
    this.#resetDot();
    placeAt(this.#dot, point.x, point.y);
    this.#dotAt = point;
    this.#dot.classList.add("visible");
    await sleep(FIRST_LOOK_MS, signal);
  }

  /** Glides to the target at a speed the eyes can follow (or jumps, for people who asked for less motion). */
  async moveDotTo(target, signal) {
    this.#resetDot();
    const from = this.#dotAt ?? target;
    const distance = Math.hypot(target.x - from.x, target.y - from.y);
    const duration = prefersReducedMotion() ? 0 : Math.min(900, 300 + distance * 0.6);
    const move = this.#dot.animate(
      [{ transform: `translate(${from.x}px, ${from.y}px)` }, { transform: `translate(${target.x}px, ${target.y}px)` }],
      { duration, easing: "cubic-bezier(.45, 0, .25, 1)", fill: "forwards" });
    this.#dotAt = { x: target.x, y: target.y };
    this.#animations.push(move);
    await abortable(move.finished, signal);
    placeAt(this.#dot, target.x, target.y);
    move.cancel();
  }

  /** While the plugin waits for the eyes to settle the disc shrinks, drawing the eye to its centre; then the ring fills as frames are collected. */
  holdDot({ starts_in_ms: settleMs, ends_in_ms: endsMs }) {
    const shrink = prefersReducedMotion() ? 0 : Math.max(200, settleMs);
    this.#animations.push(this.#disc.animate([{ transform: "scale(1)" }, { transform: "scale(.35)" }],
      { duration: shrink, easing: "ease-out", fill: "forwards" }));
    this.#animations.push(this.#ringCircle.animate([{ strokeDashoffset: 151 }, { strokeDashoffset: 0 }],
      { delay: Math.max(0, settleMs), duration: Math.max(50, endsMs - settleMs), fill: "forwards" }));
  }

  async showPointFeedback(ok, signal) {
    this.#dot.classList.add(ok ? "ok" : "retry");
    await sleep(FEEDBACK_MS, signal);
  }

  markPoint(target, ok) {
    const mark = element("div", { className: `mark ${ok ? "ok" : "missed"}` });
    placeAt(mark, target.x, target.y);
    this.#marks.append(mark);
  }

  #resetDot() {
    for (const animation of this.#animations) animation.cancel();
    this.#animations = [];
    this.#dot.classList.remove("ok", "retry");
  }

  #stopDot() {
    this.#resetDot();
    this.#dot.classList.remove("visible");
    this.#dotAt = null;
  }

  // --- closing -------------------------------------------------------------------------------------------

  async close() {
    document.removeEventListener("keydown", this.#onKeyDown, true);
    this.#resetDot();
    await this.#liveDot?.remove();
    if (document.fullscreenElement === this.#host) await document.exitFullscreen().catch(() => {});
    this.#host.remove();
    document.documentElement.style.overflow = this.#pageOverflow;
    this.#previousFocus?.focus?.();
  }
}

/**
 * The screen in small, inside the result panel: each check point and a dashed circle as far off as the
 * tracker was there (full-size circles would cover the panel on a small screen).
 */
function accuracyMap(result, thresholds) {
  const { width, height } = result.screen;
  const degreesPerPixel = result.accuracy_px > 0 ? result.accuracy_deg / result.accuracy_px : 0;
  const errors = result.targets.map((target) => formatNumber(target.error_px)).join(", ");
  const map = element("div", {
    className: "map", attributes: { role: "img", "aria-label": `Error at each check point, in pixels: ${errors}` },
  });
  map.style.aspectRatio = `${width} / ${height}`;
  map.style.width = `min(100%, ${((30 * width) / height).toFixed(1)}vh)`; // short screens: keep the panel unscrolled
  for (const target of result.targets.filter((point) => point.x != null)) {
    const rating = rateAccuracy(target.error_px * degreesPerPixel, thresholds);
    const ring = element("div", { className: `error-ring ${rating}` });
    ring.style.width = `${(200 * target.error_px) / width}%`;
    const point = element("div", { className: "point" });
    const label = element("span", { className: "error-label", text: `${formatNumber(target.error_px)} px` });
    for (const node of [ring, point, label]) {
      node.style.left = `${(100 * target.x) / width}%`;
      node.style.top = `${(100 * target.y) / height}%`;
    }
    map.append(ring, point, label);
  }
  return element("figure", {}, [map, element("figcaption", {
    className: "detail",
    text: "Your screen in small: the check points and, dashed, how far off the tracker was at each. " +
      "The blue dot shows where it thinks you look now.",
  })]);
}

function estimateSeconds({ settleMs = 400, collectMs = 800 }) {
  const perTarget = settleMs + collectMs + 700 + FEEDBACK_MS; // plus the glide to it
  return Math.max(10, Math.round((13 * perTarget + 2 * FIRST_LOOK_MS) / 5000) * 5);
}

// ---------------------------------------------------------------------------------------------------------
// The live gaze dot

const LIVE_DOT_CSS = `
:host { all: initial; position: fixed; inset: 0; pointer-events: none; z-index: 2147483647; display: block; }
.gaze { position: absolute; left: -12px; top: -12px; width: 24px; height: 24px; border-radius: 50%;
  box-sizing: border-box; background: rgba(76, 194, 255, .45); border: 2px solid #4cc2ff;
  transition: transform 90ms linear, opacity .2s; }
.gaze.lost { opacity: 0; }
.gaze.outside { border-style: dashed; background: transparent; }
@media (prefers-reduced-motion: reduce) { .gaze { transition: opacity .2s; } }
`;
const LIVE_DOT_SMOOTHING = 0.5; // weight of the newest sample: raw samples jitter by tens of pixels

export function liveGazeDot(client, { parent = null, styleNonce } = {}) {
  const { host, root } = shadowHost("proctord-live-gaze", LIVE_DOT_CSS, styleNonce);
  const dot = element("div", { className: "gaze lost", attributes: { "aria-hidden": "true" } });
  root.append(dot);
  (parent ?? document.fullscreenElement ?? document.body).append(host);

  let smoothed = null;
  const onSample = ({ detail }) => {
    const point = detail.data?.screen;
    if (!point) {
      smoothed = null;
      dot.classList.add("lost");
      return;
    }
    smoothed = smoothed
      ? smoothed.map((value, i) => value + LIVE_DOT_SMOOTHING * (point[i] - value))
      : [...point];
    showGazeAt(dot, smoothed);
  };
  client.addEventListener("event:gaze.sample", onSample);
  let restoreTopics = async () => {};
  const ready = ensureTopics(client, ["gaze.sample"]).then((restore) => { restoreTopics = restore; });
  ready.catch(() => {}); // a caller that ignores `ready` must not see an unhandled rejection

  return {
    element: host,
    ready,
    /** Resolves once the page's subscription is back as it was. */
    remove() {
      client.removeEventListener("event:gaze.sample", onSample);
      host.remove();
      return ready.then(() => restoreTopics()).catch(() => {});
    },
  };
}

/** Keeps the dot on screen: a gaze off the edge is drawn at the edge, dashed. */
function showGazeAt(dot, [x, y]) {
  const width = globalThis.innerWidth;
  const height = globalThis.innerHeight;
  const inside = x >= 0 && y >= 0 && x <= width && y <= height;
  dot.classList.remove("lost");
  dot.classList.toggle("outside", !inside);
  placeAt(dot, Math.min(Math.max(x, 0), width), Math.min(Math.max(y, 0), height));
}
