/**
 * interviewee.js — the interviewee's page (index.html): the code, the camera and microphone, the proctoring
 * agent (check, pairing, calibration: web/call/proctor/interviewee-agent.js), then the call with the whole
 * screen shared. What the agent observes goes to the interviewer over the `proctor` data channel, never through
 * the call server; the page always shows what it shares.
 */

import { askForRoom, describeRoom } from "./start-page.js";
import { DevicePicker } from "./devices.js";
import { Signalling } from "./signalling.js";
import { Call } from "./call.js";
import { Notices } from "./notices.js";
import { FileShareUI } from "./file-share-ui.js";
import { loadIntervieweeAgent } from "./proctoring-modules.js";
import { callError } from "./call-errors.js";
import { showStep, clicked, showCallEnded } from "./steps.js";
import { ScreenShare } from "./screen-share.js";

const $ = (id) => document.getElementById(id);
const notices = new Notices($("notices"));
const query = new URLSearchParams(location.search);

async function main() {
  showStep("start");
  const { code, check } = await askForRoom({ form: $("start-form"), code: $("code"), error: $("start-error"), submit: $("start-submit") }, "interviewee");
  $("room-title").textContent = describeRoom(check.room);

  showStep("devices");
  const { devices, camera } = await DevicePicker.runStep();

  showStep("agent");
  const agent = await loadIntervieweeAgent();
  const agentUrl = query.get("agent") ?? agent.AGENT_URL;
  const { client, calibration } = await agent.prepareAgent($("agent-root"), {
    agentUrl,
    onStep: (step) => { document.body.dataset.agentStep = step; },
  });

  showStep("join");
  $("join-shared").textContent = client
    ? `your camera, your microphone, your whole screen, and what the proctoring agent observes on this computer (its page at ${agent.agentPage(agentUrl)} lists it).`
    : "your camera, your microphone and your whole screen.";
  await clicked($("join"));
  devices.stopMeter();

  const call = new Call({
    signalling: new Signalling({ code, role: "interviewee" }), polite: true, camera,
  });
  const screen = new ScreenShare({ preview: $("screen-preview"), button: $("share-screen"), state: $("screen-state") }, call, client, notices);
  // Asked straight from the Join click: browsers grant the screen picker only during a user gesture.
  const shared = screen.start();
  if (client) client.keepFullScreen();
  devices.addEventListener("change", (e) => call.replaceTrack(e.detail.kind, e.detail.track));
  // Once the call is over for this page, nothing of the person is captured any more: the browser's
  // camera, microphone and screen indicators go off.
  const endCapture = () => {
    screen.end();
    devices.stop();
    $("local-video").srcObject = null;
  };
  bindCall(call, client, calibration, agent, devices, endCapture);
  showStep("call");
  $("local-video").srcObject = camera;
  try {
    await call.start();
  } catch (error) {
    endCapture();
    showCallEnded(error.message);
    return;
  }
  await shared;
}

function bindCall(call, client, calibration, agent, devices, endCapture) {
  new FileShareUI({ input: $("file-input"), list: $("transfers") }, call, notices);
  // Without a client it still tells the interviewer, once, that nothing is observed.
  agent.forwardAgent(client, (message) => call.sendProctor(message), { noticeRoot: $("agent-panel"), calibration });
  call.addEventListener("peer", (e) => {
    $("call-status").textContent = e.detail.present ? "The interviewer is here." : "Waiting for the interviewer to join…";
    document.body.dataset.peer = e.detail.present ? "present" : "absent";
    // An interviewer who left is no longer recording this call.
    if (!e.detail.present && !$("recording-badge").hidden) {
      notices.clear("recording");
      $("recording-badge").hidden = true;
    }
  });
  call.addEventListener("track", ({ detail }) => {
    if (detail.label !== "camera") return;
    const video = $("remote-video");
    if (video.srcObject !== detail.stream) video.srcObject = detail.stream;
    devices.applySpeaker(video);
    video.play().catch(() => {});
  });
  call.addEventListener("ended", (e) => {
    endCapture();
    showCallEnded(e.detail.error?.message ?? "The call ended.");
  });
  call.addEventListener("proctor", (e) => onProctorMessage(e.detail, call, client, agent));
  $("leave").addEventListener("click", () => {
    call.leave();
    client?.close();
    endCapture();
    showCallEnded(callError("left").message);
  });
}

/** `recording` is the page's own; the rest (phase, report-request, notice) is the agent module's. */
async function onProctorMessage(message, call, client, agent) {
  if (message.type !== "recording") {
    await agent.handleInterviewerMessage(client, message, { root: $("agent-panel"), send: (reply) => call.sendProctor(reply) });
    return;
  }
  if (message.active) {
    notices.stand("recording", "The interviewer is recording this call: your video, your voice and your shared screen.", { kind: "bad" });
    $("recording-badge").hidden = false;
  } else {
    notices.clear("recording");
    $("recording-badge").hidden = true;
    notices.say("The interviewer stopped recording.");
  }
}

main().catch((error) => {
  console.error(error);
  notices.say(`Something went wrong on this page: ${error.message}. Reload it to try again.`, { kind: "bad", seconds: 0 });
});
