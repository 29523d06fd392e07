// interviewee-agent.js: the interviewee's side of proctoring in the reference call app (docs/call.md).
//
//   import { prepareAgent, forwardAgent, handleInterviewerMessage, showNotice } from "/static/call/proctor/interviewee-agent.js";
//   const { client, calibration } = await prepareAgent(stepsRoot, { onStep: (name) => progress.show(name) });
//   // once the `proctor` data channel is open:
//   const stop = forwardAgent(client, (message) => channel.send(JSON.stringify(message)), { noticeRoot });
//   channel.addEventListener("message", (e) => handleInterviewerMessage(client, JSON.parse(e.data), { root: noticeRoot, send }));
//
// prepareAgent(root, {agentUrl, onStep, clientName, topics, distanceMm, calibrationOptions})
//   Draws into `root`, one after the other: the AGENT CHECK (what the browser will ask, then a connect
//   button; when the agent is missing or refuses the site, what to do and a retry button), PAIRING (a field
//   for the 6-digit code the agent shows on the desktop), CALIBRATION (web/calibration.js, its accuracy in
//   plain words; may be skipped; left out when the agent runs no gaze plugin). "Continue without the agent"
//   is offered at every step. Resolves {client, calibration}: client is a connected ProctorClient or null
//   (continued without: the interviewer sees "not observed"); calibration is runCalibration's result or null.
//   onStep(name) is called with "check", "pairing", "calibration", "done".
//   agentUrl "ws://127.0.0.1:47615/" (the agent's address; "/v1" is added when the path is "/")
//   topics ["*"]: every topic, so the interviewer's dashboard can tell lost events from thinned ones by seq
//
// forwardAgent(client, send, {noticeRoot, startInterview, title, calibration})
//   Sends the `proctor` channel's messages for the agent: agent-event (each event exactly as received),
//   agent-gap, agent-state (the current state first), agent-heartbeat and agent-dropped; with
//   `calibration` (prepareAgent's), agent-calibration once (its rating, accuracy and screen). A null client
//   sends agent-state "absent" once. With startInterview (default true) it asks the agent to start the
//   interview (`interview.start`; one already running is kept), so phases can be marked and the report
//   made. With noticeRoot, the events that call for it show a plain-language notice there (showNotice).
//   Returns a function that stops forwarding.
//
// handleInterviewerMessage(client, message, {root, send})
//   `phase` (the agent marks it with `interview.phase`; answers phase-ack {label, seq} or {label, error}),
//   `report-request` (shows in `root` what would be sent; on consent sends `report` with the agent's JSON
//   report, else `report-declined`), `notice` (shown in `root`). Resolves true when it handled the message,
//   false for the types it leaves to the page (recording, files...).
//
// showNotice(root, text, {kind}) shows a notice the interviewee can dismiss; kind "info" | "shared"
//   (something the interviewer will be told) | "warning" | "interviewer" (a message from the interviewer).
//   Returns the element.
//
// Imports ../../proctor-client.js and ../../calibration.js: serve web/ as one tree.

import { ProctorClient } from "../../proctor-client.js";
import { runCalibration } from "../../calibration.js";
import { el } from "./dom.js";
import { accuracyInWords, adviceFor, channelState, noticeFor } from "./plain.js";

export const AGENT_URL = "ws://127.0.0.1:47615/";
const INTERVIEW_TITLE = "Interview call";
const MAX_NOTICES = 5;

/** The WebSocket endpoint for an agent address: "/" → "/v1". */
export function agentEndpoint(agentUrl) {
  const url = new URL(agentUrl);
  if (url.pathname === "/" || url.pathname === "") url.pathname = "/v1";
  return url.href;
}

/** The agent's own page (http on the same host and port). */
export function agentPage(agentUrl) {
  const url = new URL(agentUrl);
  return `http://${url.host}/`;
}

export async function prepareAgent(root, {
  agentUrl = AGENT_URL, onStep = () => {}, clientName = "Interview call", topics = ["*"], distanceMm,
  calibrationOptions = {},
} = {}) {
  const steps = new Steps(root, onStep);
  const client = await steps.connect(agentUrl, clientName, topics);
  if (!client) return steps.finish(null, null);
  const calibration = await steps.calibrate(client, { distanceMm, ...calibrationOptions });
  if (calibration === WITHOUT) { client.close(); return steps.finish(null, null); }
  return steps.finish(client, calibration);
}

const WITHOUT = Symbol("without the agent");

/** The steps' screens; each resolves when the interviewee chose. */
class Steps {
  constructor(root, onStep) {
    this.root = root;
    this.onStep = onStep;
    root.classList.add("agent-steps");
  }

  step(name, ...children) {
    this.root.dataset.step = name;
    this.root.replaceChildren(el("section", { class: `agent-step step-${name}`, "data-step": name }, ...children));
    if (this.current !== name) {
      this.current = name;
      this.onStep(name);
    }
  }

  withoutButton(resolve) {
    return el("button", { type: "button", class: "secondary", "data-action": "without", onclick: () => resolve(WITHOUT) }, "Continue without the agent");
  }

  /** AGENT CHECK and PAIRING: resolves a connected client, or null to continue without. */
  async connect(agentUrl, clientName, topics) {
    const client = new ProctorClient({
      url: agentEndpoint(agentUrl), topics, clientName, clientVersion: "1",
      askPairingCode: ({ digits, error }) => new Promise((resolve, reject) => {
        this.pairingScreen(digits ?? 6, error ?? this.pairingError, agentUrl, resolve, reject);
        this.pairingError = null;
      }),
    });
    let problem = null;
    for (;;) {
      // A wrong code goes straight back to the code field (with why); anything else to the check.
      if (!this.pairingError) {
        const choice = await new Promise((resolve) => this.checkScreen(agentUrl, problem, resolve));
        if (choice === WITHOUT) { client.close(); return null; }
      }
      this.step(this.current ?? "check", el("p", { class: "progress", role: "status" }, "Connecting to the proctoring agent…"));
      try {
        await client.connect();
        return client;
      } catch (error) {
        if (this.without) { client.close(); return null; }
        if (error?.code === "auth_failed") this.pairingError = error;
        else problem = error;
      }
    }
  }

  checkScreen(agentUrl, problem, resolve) {
    const children = [el("h2", {}, "Connect to the proctoring agent")];
    if (problem) {
      children.push(el("p", { class: "problem", role: "alert", "data-code": problem.code ?? "unknown" }, adviceFor(problem, { agentPage: agentPage(agentUrl) })));
      if (problem.code === "agent_unreachable") children.push(installHelp(agentUrl));
    } else {
      children.push(el("p", {}, "This interview uses proctord, a proctoring agent that runs on this computer. This page will now connect to it."));
    }
    children.push(
      el("p", { class: "browser-prompt" },
        "Your browser may ask whether this page may connect to apps and devices on this device. Choose Allow: " +
        "this lets the interview page talk to the proctoring agent you installed. It reaches nothing else."),
      el("div", { class: "actions" },
        el("button", { type: "button", class: "primary", "data-action": "connect", onclick: () => resolve("connect") }, problem ? "Try again" : "Connect to the agent"),
        this.withoutButton(resolve)),
      el("p", { class: "hint" }, "Without the agent, the interviewer sees that nothing was observed."),
    );
    this.step("check", ...children);
  }

  pairingScreen(digits, error, agentUrl, resolve, reject) {
    const input = el("input", {
      type: "text", name: "code", inputmode: "numeric", autocomplete: "one-time-code", pattern: `[0-9 ]{${digits},${digits * 2}}`,
      maxlength: digits * 2, "aria-label": "pairing code", required: true,
    });
    const form = el("form", { class: "pairing-form" },
      el("label", {}, `The ${digits}-digit code the agent shows`, input),
      el("div", { class: "actions" },
        el("button", { type: "submit", class: "primary", "data-action": "pair" }, "Pair"),
        el("button", { type: "button", class: "secondary", "data-action": "without", onclick: () => {
          this.without = true;
          reject(Object.assign(new Error("continued without the agent"), { code: "pairing_cancelled" }));
        } }, "Continue without the agent")));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      resolve(input.value.replace(/\s+/g, ""));
    });
    this.step("pairing",
      el("h2", {}, "Pair this page with the agent"),
      el("p", {}, "The agent shows a code on this computer: in a desktop notification, on its own page at ",
        el("a", { href: agentPage(agentUrl), target: "_blank", rel: "noopener" }, agentPage(agentUrl)),
        ", and in the terminal or journal where it runs. Type it here. The code itself is never sent."),
      error ? el("p", { class: "problem", role: "alert", "data-code": error.code ?? "unknown" }, adviceFor(error, { agentPage: agentPage(agentUrl) })) : null,
      form);
    input.focus();
  }

  /** CALIBRATION: resolves runCalibration's result, null when skipped, or WITHOUT. */
  async calibrate(client, options) {
    if (!(await runsGaze(client))) return null;
    let problem = null;
    for (;;) {
      const choice = await new Promise((resolve) => {
        this.step("calibration",
          el("h2", {}, "Calibrate the gaze tracker"),
          el("p", {}, "For about 30 seconds, follow a dot with your eyes while keeping your head still. The camera images stay on this computer; the interviewer sees only where on the screen you look."),
          problem ? el("p", { class: "problem", role: "alert", "data-code": problem }, calibrationProblem(problem)) : null,
          el("div", { class: "actions" },
            el("button", { type: "button", class: "primary", "data-action": "calibrate", onclick: () => resolve("calibrate") }, problem ? "Try again" : "Calibrate"),
            el("button", { type: "button", class: "secondary", "data-action": "skip", onclick: () => resolve("skip") }, "Skip calibration"),
            this.withoutButton(resolve)),
          el("p", { class: "hint" }, "Skipped, the interviewer sees only the direction of your head and eyes, not where on the screen you look."));
      });
      if (choice === WITHOUT) return WITHOUT;
      if (choice === "skip") return null;
      try {
        const result = await runCalibration(client, options);
        await new Promise((resolve) => {
          this.step("calibration",
            el("h2", {}, "Calibration done"),
            el("p", { class: "accuracy", "data-rating": result.rating }, accuracyInWords(result, options)),
            el("div", { class: "actions" }, el("button", { type: "button", class: "primary", "data-action": "continue", onclick: resolve }, "Continue")));
        });
        return result;
      } catch (error) {
        problem = error?.code ?? "calibration";
        if (problem === "not_running") return null;
      }
    }
  }

  finish(client, calibration) {
    this.step("done", el("p", { class: "done", role: "status" }, client
      ? "The proctoring agent is connected."
      : "Continuing without the proctoring agent: the interviewer will see that nothing was observed."));
    return { client, calibration };
  }
}

async function runsGaze(client) {
  try {
    const { plugins } = await client.request("host", "plugins.list");
    // Degraded or starting counts: a gaze plugin is degraded while it loads its models; runCalibration
    // itself says not_running when it cannot take the requests.
    return plugins.some((p) => (p.topics ?? []).includes("gaze.sample") && ["running", "degraded", "starting"].includes(p.state));
  } catch {
    return false;
  }
}

function calibrationProblem(code) {
  switch (code) {
    case "cancelled": return "The calibration was stopped before the end.";
    case "timeout": return "The agent received no camera images. Check that no other program uses the camera.";
    case "agent_gone": return "The connection to the agent was lost during the calibration.";
    default: return "Too few points had your eyes in view. Sit facing the camera, in good light.";
  }
}

function installHelp(agentUrl) {
  return el("div", { class: "install" },
    el("p", {}, "If proctord is installed, start it:"),
    el("pre", {}, "systemctl --user start proctord"),
    el("p", {}, "Not installed yet? Install the Debian package (sudo apt install ./proctord_*.deb), or build it from the source with make install, then enable the service:"),
    el("pre", {}, "proctord service enable"),
    el("p", {}, "To try it without installing, run it from the source tree with make run. The agent listens on ",
      el("code", {}, new URL(agentUrl).host), " of this computer only."));
}

export function forwardAgent(client, send, { noticeRoot = null, startInterview = true, title = INTERVIEW_TITLE, calibration = null } = {}) {
  if (!client) {
    send({ type: "agent-state", state: "absent", reason: "the interviewee continued without the agent" });
    return () => {};
  }
  const listeners = {
    event: ({ detail }) => {
      send({ type: "agent-event", event: detail });
      const notice = noticeRoot ? noticeFor(detail) : null;
      if (notice) showNotice(noticeRoot, notice.text, { kind: notice.kind });
    },
    gap: ({ detail }) => send({ type: "agent-gap", gap: detail }),
    state: ({ detail }) => send({ type: "agent-state", state: channelState(detail.state), reason: detail.reason ?? detail.error?.code ?? null }),
    heartbeat: ({ detail }) => send({ type: "agent-heartbeat", heartbeat: detail }),
    dropped: ({ detail }) => send({ type: "agent-dropped", dropped: detail }),
    identified: () => { if (startInterview) ensureInterview(client, title); },
  };
  for (const [name, listener] of Object.entries(listeners)) client.addEventListener(name, listener);
  send({ type: "agent-state", state: channelState(client.state), reason: null });
  if (calibration) {
    const { rating, accuracy_px, accuracy_deg, screen } = calibration;
    send({ type: "agent-calibration", calibration: { rating, accuracy_px, accuracy_deg, screen } });
  }
  if (startInterview && client.state === "identified") ensureInterview(client, title);
  return () => { for (const [name, listener] of Object.entries(listeners)) client.removeEventListener(name, listener); };
}

/**
 * Starts the interview unless one runs (interview_running: a reload or a reconnect of the call; kept).
 * Other refusals leave the call without an interview: phases then start one (markPhase), and the report
 * request says why it cannot be made. Resolves the new interview's id or null.
 */
async function ensureInterview(client, title) {
  try {
    return (await client.request("host", "interview.start", { title })).interview;
  } catch {
    return null;
  }
}

export async function handleInterviewerMessage(client, message, { root = null, send = () => {} } = {}) {
  switch (message?.type) {
    case "phase": await markPhase(client, message.label, send); return true;
    case "report-request": await answerReport(client, root, send); return true;
    case "notice":
      if (root && typeof message.text === "string") showNotice(root, message.text, { kind: "interviewer" });
      return true;
    default: return false;
  }
}

async function markPhase(client, label, send) {
  if (!client) {
    send({ type: "phase-ack", label, error: { code: "no_agent", message: "the interviewee has no agent" } });
    return;
  }
  const mark = () => client.request("host", "interview.phase", { name: String(label ?? "") });
  try {
    let answer;
    try {
      answer = await mark();
    } catch (error) {
      if (error?.code !== "no_interview") throw error;
      await ensureInterview(client, INTERVIEW_TITLE);
      answer = await mark();
    }
    send({ type: "phase-ack", label, seq: answer.seq });
  } catch (error) {
    send({ type: "phase-ack", label, error: { code: error?.code ?? "error", message: error?.message ?? String(error) } });
  }
}

/** What the report holds (docs/report.md), as the interviewee is told before agreeing. */
export const REPORT_CONTENTS = [
  "the integrity score and how it was reached",
  "the alerts: what the agent observed and when (never camera images or sound)",
  "where on the screen you looked: heatmaps and figures for the whole interview and each phase",
  "how much of the time each part of the agent could observe, and any events missing",
];

async function answerReport(client, root, send) {
  if (!client) { send({ type: "report-declined", reason: "the interviewee has no agent" }); return; }
  const consent = root ? await askConsent(root) : false;
  if (!consent) { send({ type: "report-declined", reason: "the interviewee declined" }); return; }
  try {
    const answer = await client.request("host", "interview.report", { format: "json" }, { timeoutMs: 30_000 });
    send({ type: "report", report: answer.report });
  } catch (error) {
    send({ type: "report-declined", reason: `the agent could not make the report (${error?.code ?? "error"}: ${error?.message ?? ""})` });
  }
}

function askConsent(root) {
  return new Promise((resolve) => {
    const panel = el("section", { class: "consent", role: "dialog", "aria-label": "send the report?" },
      el("h3", {}, "The interviewer asks for the agent's report"),
      el("p", {}, "If you agree, this page sends the interviewer the agent's report of this interview:"),
      el("ul", {}, REPORT_CONTENTS.map((line) => el("li", {}, line))),
      el("div", { class: "actions" },
        el("button", { type: "button", class: "primary", "data-action": "send-report", onclick: () => { panel.remove(); resolve(true); } }, "Send the report"),
        el("button", { type: "button", class: "secondary", "data-action": "decline-report", onclick: () => { panel.remove(); resolve(false); } }, "Don't send it")));
    root.append(panel);
  });
}

export function showNotice(root, text, { kind = "info" } = {}) {
  let area = root.querySelector(":scope > .proctor-notices");
  if (!area) {
    area = el("div", { class: "proctor-notices", role: "status", "aria-live": "polite" });
    root.prepend(area);
  }
  const notice = el("div", { class: `proctor-notice notice-${kind}`, "data-kind": kind },
    el("p", {}, text),
    el("button", { type: "button", class: "dismiss", "aria-label": "dismiss", onclick: () => notice.remove() }, "OK"));
  area.append(notice);
  while (area.children.length > MAX_NOTICES) area.firstElementChild.remove();
  return notice;
}
