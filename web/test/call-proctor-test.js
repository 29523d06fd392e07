// A test harness loads this page in headless Chromium from an allowed origin: the interviewee's agent steps
// (prepareAgent) on the left and the interviewer's dashboard (ProctorDashboard) on the right, joined by a
// loopback that stands in for the WebRTC `proctor` data channel: every message is turned into JSON text and
// parsed again, as the channel would carry it. The harness clicks through the steps like a person.
//
// Query: ?agent=ws://127.0.0.1:PORT/  &calibrate=auto (the calibration starts and finishes by itself once
// its button is clicked)  &drop=N (the channel loses the N-th heartbeat.tick: a loss the dashboard must draw
// as a gap; the real channel is reliable, this stands in for any loss between the agent and the dashboard)
//
// window.testState: {steps: [...], prepared: {client: bool, calibration}, sent: {type: count}, dropped: seq,
//                    error, cspViolations: [...]}
// The title is "done" once prepareAgent resolved (and forwarding started), "error:<message>" on a failure.

import { prepareAgent, forwardAgent, handleInterviewerMessage } from "../call/proctor/interviewee-agent.js";
import { ProctorDashboard } from "../call/proctor/dashboard.js";

const query = new URLSearchParams(location.search);
const testState = { steps: [], prepared: null, sent: {}, dropped: null, error: null, cspViolations: [] };
window.testState = testState;
// The page runs under a strict CSP (no inline script or style): anything the modules do against it shows here.
document.addEventListener("securitypolicyviolation", (e) => {
  testState.cspViolations.push(`${e.violatedDirective}: ${e.blockedURI || "inline"} ${e.sourceFile}:${e.lineNumber}`);
});

const notices = document.getElementById("notices");
let toInterviewee = () => {};

const dashboard = new ProctorDashboard(document.getElementById("dashboard"), {
  onPhase: (label) => toInterviewee({ type: "phase", label }),
  onReportRequest: () => toInterviewee({ type: "report-request" }),
});
window.dashboard = dashboard;

let ticks = 0;
const dropAt = Number(query.get("drop") ?? 0);
function toInterviewer(message) {
  testState.sent[message.type] = (testState.sent[message.type] ?? 0) + 1;
  if (message.type === "agent-event" && message.event.topic === "heartbeat.tick" && ++ticks === dropAt) {
    testState.dropped = message.event.seq;
    return;
  }
  dashboard.handle(JSON.parse(JSON.stringify(message)));
}

async function run() {
  const calibrationOptions = query.get("calibrate") === "auto"
    ? { autoStart: true, settleMs: 100, collectMs: 300, autoFinishMs: 300 } : {};
  try {
    const prepared = await prepareAgent(document.getElementById("steps"), {
      agentUrl: query.get("agent") ?? undefined, clientName: "call proctor test", calibrationOptions,
      onStep: (name) => { testState.steps.push(name); },
    });
    const { client, calibration } = prepared;
    window.testClient = client;
    testState.prepared = { client: client !== null, calibration };
    toInterviewee = (message) => {
      handleInterviewerMessage(client, JSON.parse(JSON.stringify(message)), { root: notices, send: toInterviewer });
    };
    forwardAgent(client, toInterviewer, { noticeRoot: notices, title: "call proctor test", calibration });
    document.title = "done";
  } catch (error) {
    testState.error = String(error?.stack ?? error);
    document.title = `error:${error?.code ?? error?.message ?? error}`;
  }
}

run();
