// The proctoring modules' pure logic (web/call/proctor/), run with `node --test`: seq gaps, the score's
// arithmetic against the agent's rule (docs/protocol.md "Integrity"), heatmap binning (docs/report.md),
// liveness ageing on an injected clock, and the plain-language notices. Expected values are worked out by
// hand in the comments, not taken from the code. The browser tests (CallDashboardBrowserTests) cover the DOM.

import assert from "node:assert/strict";
import { test } from "node:test";

import { SeqTracker, describeGap } from "../call/proctor/seq.js";
import { ScoreBook, computeScore, arithmetic } from "../call/proctor/score.js";
import { HeatGrid, binDwell, rowsFor } from "../call/proctor/heatmap.js";
import { Liveness, FRESH_MS, SILENT_MS } from "../call/proctor/liveness.js";
import { noticeFor, accuracyInWords, adviceFor, channelState } from "../call/proctor/plain.js";
import { checkLabel } from "../call/proctor/phases.js";
import { Timeline } from "../call/proctor/timeline.js";
import { forwardAgent, handleInterviewerMessage, agentEndpoint } from "../call/proctor/interviewee-agent.js";

test("consecutive seqs reveal no gap; an unexplained jump is one, with its range and count", () => {
  const seqs = new SeqTracker();
  for (const seq of [5, 6, 7]) assert.equal(seqs.observe(seq), null);
  const gap = seqs.observe(11); // 8, 9, 10 missing
  assert.deepEqual({ ...gap, at: undefined }, { afterSeq: 7, nextSeq: 11, missed: 3, reason: "unexplained", at: undefined });
  assert.equal(describeGap(gap), "events 8–10 missing (3): lost on the way to this dashboard");
  assert.equal(seqs.observe(12), null);
  assert.equal(seqs.gaps.length, 1);
});

test("events the agent thinned (agent-dropped) are not a gap, but more missing than thinned is", () => {
  const seqs = new SeqTracker();
  seqs.observe(1);
  seqs.dropped({ count: 4, total: 4, topics: ["gaze.sample"] });
  assert.equal(seqs.observe(6), null); // 2..5 thinned
  assert.equal(seqs.thinned, 4);
  const gap = seqs.observe(9); // 7, 8: nothing left to explain them
  assert.equal(gap.missed, 2);
  assert.equal(gap.reason, "unexplained");
});

test("a gap the client announced keeps its reason; a restarted agent's lower seqs are a gap of unknown size", () => {
  const seqs = new SeqTracker();
  seqs.observe(40);
  seqs.announce({ reason: "replay_gap", missed: 20, afterSeq: 40, nextSeq: 61 });
  const gap = seqs.observe(61);
  assert.equal(gap.reason, "replay_gap");
  assert.equal(gap.missed, 20);
  assert.equal(describeGap(gap), "events 41–60 missing (20): the agent no longer held them when the page reconnected");
  const restart = seqs.observe(3);
  assert.equal(restart.reason, "agent_restarted");
  assert.equal(restart.missed, null);
  assert.equal(describeGap({ afterSeq: 9, nextSeq: 11, missed: 1, reason: "seq_jump" }), "event 10 missing (1): the interviewee's page missed them");
});

const guidelines = { rules: [
  { id: "look_away", kind: "look_away", text: "t", severity: "medium", cost: 5, cap: 15 },
  { id: "face_absent", kind: "face_absent", text: "t", severity: "medium", cost: 5, cap: 15 },
  { id: "plugin_down", kind: "plugin_down", text: "t", severity: "high", cost: 10, cap: 30 },
] };
const alert = (id, rule, severity, state = "raised") => ({ topic: "alert", data: { alert: id, rule, severity, state } });

test("the live score counts each alert once, in the guidelines' order, capped per rule", () => {
  const book = new ScoreBook();
  book.observe({ topic: "interview.started", data: { interview: "i_x", guidelines } });
  book.observe(alert("plugin_down#1", "plugin_down", "high"));
  for (let n = 1; n <= 4; n += 1) {
    book.observe(alert(`look_away#${n}`, "look_away", "medium"));
    book.observe(alert(`look_away#${n}`, "look_away", "medium", "updated"));
    book.observe(alert(`look_away#${n}`, "look_away", "medium", "resolved"));
  }
  const score = book.current();
  // look_away: min(4 × 5, 15) = 15; plugin_down: min(1 × 10, 30) = 10; 100 − 15 − 10 = 75
  assert.equal(score.score, 75);
  assert.equal(score.source, "live");
  assert.deepEqual(score.deductions.map((d) => [d.rule, d.count, d.cost]), [["look_away", 4, 15], ["plugin_down", 1, 10]]);
  assert.equal(score.arithmetic, "100 − 15 (look_away) − 10 (plugin_down) = 75");
});

test("without the guidelines the severity defaults are used and said to be an estimate; the score stops at 0", () => {
  // multiple_faces is high: 10 per alert, cap 30; 4 alerts cost 30. remote_control high: 30; virtual_machine
  // medium: 5 × 7 = 35 capped at 15; screen_locked low: 2 × 2 = 4. 30 + 30 + 15 + 4 = 79 → 21.
  const alerts = [
    ...[1, 2, 3, 4].map(() => ({ rule: "multiple_faces", severity: "high" })),
    ...[1, 2, 3].map(() => ({ rule: "remote_control", severity: "high" })),
    ...[1, 2, 3, 4, 5, 6, 7].map(() => ({ rule: "virtual_machine", severity: "medium" })),
    ...[1, 2].map(() => ({ rule: "screen_locked", severity: "low" })),
  ];
  const score = computeScore(alerts);
  assert.equal(score.score, 21);
  assert.equal(score.source, "estimate");
  const more = computeScore([...alerts, ...Array(20).fill({ rule: "extra", severity: "high" })]); // +30: 109 → 0
  assert.equal(more.score, 0);
});

test("the agent's integrity.summary is shown as it is, written out like the report", () => {
  const book = new ScoreBook();
  book.observe(alert("look_away#1", "look_away", "medium"));
  book.observe({ topic: "integrity.summary", data: { score: 87.5, max_score: 100, deductions: [
    { rule: "face_absent", cost: 7.5, count: 3, per_alert: 2.5, cap: 7.5 }, { rule: "focus_away", cost: 5, count: 1, per_alert: 5, cap: 15 },
  ] } });
  const score = book.current();
  assert.equal(score.source, "summary");
  assert.equal(score.arithmetic, "100 − 7.5 (face_absent) − 5 (focus_away) = 87.5");
  assert.equal(arithmetic(100, [], 100), "100 = 100");
});

test("the heatmap's grid is the report's: 32 columns, rows by aspect, points binned and off-screen counted", () => {
  assert.equal(rowsFor({ width: 1920, height: 1080 }), 18);
  assert.equal(rowsFor({ width: 1280, height: 1024 }), 26); // 32 × 0.8 = 25.6
  const screen = { width: 1920, height: 1080 };
  const bins = binDwell([
    { x: 0, y: 0, ms: 100 }, // column 0, row 0
    { x: 1919, y: 1079, ms: 200 }, // the last cell
    { x: 960, y: 540, ms: 300 }, // column 16 (960/60), row 9 (540/60)
    { x: 965, y: 555, ms: 50 }, // the same cell
    { x: 1920, y: 10, ms: 70 }, // just off the right edge
    { x: -1, y: 10, ms: 30 },
  ], screen);
  assert.equal(bins.cells.length, 32 * 18);
  assert.equal(bins.cells[0], 100);
  assert.equal(bins.cells[32 * 18 - 1], 200);
  assert.equal(bins.cells[9 * 32 + 16], 350);
  assert.equal(bins.outside_ms, 100);
  assert.equal(bins.peak, 350);
});

test("a sample's dwell runs to the next sample, at most 1 s; uncalibrated samples add nothing; monitors set the screen", () => {
  const grid = new HeatGrid();
  const sample = (ms, screen) => ({ topic: "gaze.sample", ts: new Date(1_796_000_000_000 + ms).toISOString(), data: { screen } });
  grid.observe(sample(0, [100, 100]));
  grid.observe(sample(100, [1000, 500])); // the first point dwelt 100 ms
  grid.observe(sample(2100, null)); // the second 1000 ms (2000 capped)
  grid.observe(sample(2200, [10, 10])); // an uncalibrated sample dwells nowhere
  assert.deepEqual(grid.screen(), { width: 1000, height: 500, source: "gaze_extent" });
  grid.observe({ topic: "screen.monitors", data: { reason: "start", count: 2, monitors: [
    { name: "HDMI-1", x: 1920, y: 0, width: 1280, height: 1024, primary: false },
    { name: "eDP-1", x: 0, y: 0, width: 1920, height: 1080, primary: true },
  ] } });
  const bins = grid.bins();
  assert.equal(bins.screen.source, "monitor");
  assert.equal(bins.screen.name, "eDP-1");
  assert.equal(bins.cells[1 * 32 + 1], 100); // (100, 100) → column 1, row 1
  assert.equal(bins.cells[8 * 32 + 16], 1000); // (1000, 500) → column 16, row 8
  assert.equal(bins.cells.reduce((a, b) => a + b, 0), 1100);
});

test("the calibrated screen frames the map when no monitor layout came; a monitor still wins, as in the report", () => {
  const grid = new HeatGrid();
  grid.add(700, 100, 500);
  grid.calibration({ rating: "fair", accuracy_px: 115.4, accuracy_deg: 2.9, screen: { width: 1280, height: 800, fullscreen: true } });
  assert.deepEqual(grid.screen(), { width: 1280, height: 800, source: "calibration" });
  const bins = grid.bins();
  assert.equal(bins.rows, 20); // 32 × 800 / 1280
  assert.equal(bins.cells[2 * 32 + 17], 500); // (702, 102) at 4 px buckets → column 17 (40 px wide), row 2 (40 px high)
  grid.observe({ topic: "screen.monitors", data: { monitors: [{ name: "eDP-1", width: 1920, height: 1080, primary: true }] } });
  assert.equal(grid.screen().source, "monitor");
});

test("liveness: no agent-state is 'not observed'; silence ages from observed to late to silent; degraded plugins are not observed", () => {
  let now = 1_000_000;
  const live = new Liveness({ now: () => now });
  assert.equal(live.verdict(), "not observed");
  assert.equal(live.age(), null);
  live.agentState("absent", "continued without the agent");
  assert.equal(live.age(), null, "the page's word is not the agent heard from");
  assert.equal(live.verdict(), "not observed");
  live.agentState("connected");
  assert.equal(live.verdict(), "observed");
  live.observe({ topic: "plugin.state", data: { plugin: "gaze", state: "running", restarts: 0 } });
  live.observe({ topic: "plugin.state", data: { plugin: "audio", state: "degraded", reason: "no microphone", restarts: 0 } });
  now += FRESH_MS - 1;
  assert.equal(live.verdict(), "observed");
  now += 1;
  assert.equal(live.verdict(), "late");
  assert.deepEqual(live.pluginRows().map((r) => [r.plugin, r.observed]), [["audio", false], ["gaze", true]]);
  now += SILENT_MS - FRESH_MS;
  assert.equal(live.verdict(), "silent");
  assert.deepEqual(live.pluginRows().map((r) => r.observed), [false, false], "a silent agent observes nothing");
  live.heartbeat();
  assert.equal(live.age(), 0);
  live.agentState("absent", "continued without the agent");
  assert.equal(live.verdict(), "not observed");
});

test("notices: a raised alert tells the interviewee what the interviewer will see; updates and resolutions stay quiet", () => {
  const raised = noticeFor({ topic: "alert", data: { alert: "look_away#1", rule: "look_away", state: "raised", message: "looked down for 7.2 s" } });
  assert.deepEqual(raised, { kind: "shared", text: "The interviewer will see this: you looked away from the screen for a while (looked down for 7.2 s)." });
  assert.equal(noticeFor({ topic: "alert", data: { rule: "look_away", state: "updated", message: "m" } }), null);
  assert.equal(noticeFor({ topic: "alert", data: { rule: "look_away", state: "resolved", message: "m" } }), null);
  assert.equal(noticeFor({ topic: "screen.reactivated", data: { result: "restored" } }).kind, "info");
  assert.match(noticeFor({ topic: "screen.reactivated", data: { result: "restored" } }).text, /back in full screen/);
  assert.equal(noticeFor({ topic: "screen.reactivated", data: { result: "failed" } }), null);
  assert.equal(noticeFor({ topic: "plugin.state", data: { plugin: "gaze", state: "crashed" } }).kind, "warning");
  assert.equal(noticeFor({ topic: "plugin.state", data: { plugin: "gaze", state: "running" } }), null);
  assert.equal(noticeFor({ topic: "gaze.sample", data: {} }), null);
  assert.match(noticeFor({ topic: "alert", data: { rule: "new_rule", state: "raised", message: "m" } }).text, /"new_rule"/);
});

test("accuracy in plain words: the angle as centimetres on the screen at the viewing distance", () => {
  // 600 mm × tan(2.86°) = 29.97 mm → about 3 cm
  assert.equal(accuracyInWords({ accuracy_deg: 2.86, rating: "fair" }),
    "Your gaze is placed within about 3 cm on the screen (fair: the interviewer can tell which part of the screen (a quarter, a side) you look at).");
  // 500 mm × tan(1°) = 8.7 mm
  assert.match(accuracyInWords({ accuracy_deg: 1, rating: "good" }, { distanceMm: 500 }), /^Your gaze is placed within 1 cm on the screen \(good/);
  assert.match(accuracyInWords({ accuracy_deg: 6, rating: "poor" }), /about 6 cm .*rough/); // 63 mm
  assert.equal(accuracyInWords({}), "The calibration finished, but its accuracy is not known.");
});

test("the agent's errors in the words web/README.md gives; the client's states in the channel's names", () => {
  assert.match(adviceFor({ code: "auth_failed", triesLeft: 2 }), /\(2 tries left\)/);
  assert.match(adviceFor({ code: "local_network_access_denied" }), /Local network access/);
  assert.match(adviceFor({ code: "agent_refused" }, { agentPage: "http://127.0.0.1:47700/" }), /Open http:\/\/127.0.0.1:47700\/ .*"Allow this site"/);
  assert.deepEqual(["identified", "reconnecting", "connecting", "pairing", "closed"].map(channelState),
    ["connected", "reconnecting", "reconnecting", "unpaired", "absent"]);
});

test("phase labels: trimmed, not blank, at most 100 characters, as the agent takes them", () => {
  assert.deepEqual(checkLabel("  Question 2 "), { label: "Question 2" });
  assert.ok(checkLabel("   ").error);
  assert.match(checkLabel("x".repeat(101)).error, /\(this is 101\)/);
  assert.deepEqual(checkLabel("x".repeat(100)), { label: "x".repeat(100) });
});

test("the timeline places events on the agent's time axis and keeps alerts as bars", () => {
  const t = new Timeline();
  const at = (s) => new Date(1_796_000_000_000 + s * 1000).toISOString();
  t.observe({ topic: "interview.started", ts: at(0), data: {} });
  t.observe({ topic: "interview.phase", ts: at(10), data: { name: "Question 1" } });
  t.observe({ topic: "alert", ts: at(30), data: { alert: "face_absent#1", severity: "medium", started_at: at(20), ended_at: null, message: "m" } });
  t.observe({ topic: "gaze.sample", ts: at(40), data: {} });
  assert.equal(t.position(Date.parse(at(10))), 0.25);
  assert.equal(t.alerts.get("face_absent#1").start, Date.parse(at(20)));
  assert.deepEqual(t.marks.map((m) => m.topic), ["interview.started"], "samples are not drawn one by one; phases and alerts have rows");
});

test("the state before the dashboard listened (integrity.context) fills in plugins and monitors, never over newer ones", () => {
  const live = new Liveness({ now: () => 0 });
  live.observe({ topic: "plugin.state", data: { plugin: "gaze", state: "degraded", reason: "no camera" } });
  live.seed({ topic: "plugin.state", data: { plugin: "gaze", state: "running" } });
  live.seed({ topic: "plugin.state", data: { plugin: "screen", state: "running" } });
  assert.deepEqual(live.pluginRows().map((r) => [r.plugin, r.state]), [["gaze", "degraded"], ["screen", "running"]]);
  const grid = new HeatGrid();
  grid.seed({ topic: "screen.monitors", data: { monitors: [{ name: "eDP-1", width: 1920, height: 1080, primary: true }] } });
  grid.seed({ topic: "screen.monitors", data: { monitors: [{ name: "HDMI-1", width: 1280, height: 1024, primary: true }] } });
  grid.seed({ topic: "plugin.state", data: {} });
  assert.equal(grid.screen().name, "eDP-1");
});

// The interviewee's side with a stand-in for ProctorClient (an EventTarget with request()): what it sends
// on the channel. CallProctorBrowserTests runs the same against a real agent and client.

class StandInClient extends EventTarget {
  state = "identified";
  requests = [];
  constructor(answers = {}) { super(); this.answers = answers; }
  async request(target, method, params) {
    this.requests.push([target, method, params]);
    const answer = this.answers[method];
    const value = typeof answer === "function" ? answer(params) : answer;
    if (value instanceof Error) throw value;
    return value ?? {};
  }
  emit(name, detail) { this.dispatchEvent(new CustomEvent(name, { detail })); }
}
const refusal = (code) => Object.assign(new Error(code), { code });

test("forwarding sends the state first, each event exactly as received, gaps and states in the channel's names, and stops", async () => {
  const client = new StandInClient({ "interview.start": { interview: "i_1" } });
  const sent = [];
  const stop = forwardAgent(client, (m) => sent.push(m), { title: "Backend" });
  const event = { topic: "alert", seq: 42, ts: "2026-12-07T01:41:07.202Z", plugin: "host", data: { alert: "a#1", state: "updated" } };
  client.emit("event", event);
  client.emit("gap", { reason: "replay_gap", missed: 3, afterSeq: 1, nextSeq: 5 });
  client.emit("state", { state: "reconnecting", reason: "closed" });
  client.emit("heartbeat", { last_seq: 42, ts: "t" });
  client.emit("dropped", { count: 2, total: 2, topics: ["gaze.sample"] });
  stop();
  client.emit("event", event);
  assert.deepEqual(sent, [
    { type: "agent-state", state: "connected", reason: null },
    { type: "agent-event", event },
    { type: "agent-gap", gap: { reason: "replay_gap", missed: 3, afterSeq: 1, nextSeq: 5 } },
    { type: "agent-state", state: "reconnecting", reason: "closed" },
    { type: "agent-heartbeat", heartbeat: { last_seq: 42, ts: "t" } },
    { type: "agent-dropped", dropped: { count: 2, total: 2, topics: ["gaze.sample"] } },
  ]);
  assert.equal(sent[1].event, event, "the very object the client gave");
  assert.deepEqual(client.requests, [["host", "interview.start", { title: "Backend" }]]);
  const none = [];
  forwardAgent(null, (m) => none.push(m));
  assert.deepEqual(none, [{ type: "agent-state", state: "absent", reason: "the interviewee continued without the agent" }]);
});

test("a phase is marked at the agent (starting the interview when none runs) and acknowledged with its seq or the refusal", async () => {
  let running = false;
  const client = new StandInClient({
    "interview.start": () => { running = true; return { interview: "i_1" }; },
    "interview.phase": ({ name }) => (name.length > 100 ? refusal("invalid_params") : running ? { interview: "i_1", name, seq: 77 } : refusal("no_interview")),
  });
  const sent = [];
  assert.equal(await handleInterviewerMessage(client, { type: "phase", label: "Question 2" }, { send: (m) => sent.push(m) }), true);
  assert.deepEqual(sent, [{ type: "phase-ack", label: "Question 2", seq: 77 }]);
  await handleInterviewerMessage(client, { type: "phase", label: "x".repeat(101) }, { send: (m) => sent.push(m) });
  assert.equal(sent[1].error.code, "invalid_params");
  await handleInterviewerMessage(null, { type: "phase", label: "Q3" }, { send: (m) => sent.push(m) });
  assert.equal(sent[2].error.code, "no_agent");
  assert.equal(await handleInterviewerMessage(client, { type: "recording", active: true }, { send: (m) => sent.push(m) }), false);
  // Nowhere to ask the interviewee: the report is declined, never sent without consent.
  await handleInterviewerMessage(client, { type: "report-request" }, { send: (m) => sent.push(m) });
  assert.deepEqual(sent[3], { type: "report-declined", reason: "the interviewee declined" });
  assert.ok(!client.requests.some(([, method]) => method === "interview.report"));
});

test("the agent's address: a bare origin gets the protocol's path", () => {
  assert.equal(agentEndpoint("ws://127.0.0.1:47615/"), "ws://127.0.0.1:47615/v1");
  assert.equal(agentEndpoint("ws://127.0.0.1:47615"), "ws://127.0.0.1:47615/v1");
  assert.equal(agentEndpoint("ws://127.0.0.1:5000/v1"), "ws://127.0.0.1:5000/v1");
});
