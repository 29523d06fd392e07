/**
 * interviewer.js — the interviewer's dashboard (interviewer.html): the code and the room's secret, the camera
 * and microphone, then the call: the candidate's camera and shared screen, the proctoring dashboard
 * (web/call/proctor/dashboard.js) fed with every `proctor`-channel message, phase markers, the report request,
 * the recording, and file sharing.
 */

import { askForRoom, describeRoom } from "./start-page.js";
import { DevicePicker } from "./devices.js";
import { Signalling } from "./signalling.js";
import { Call } from "./call.js";
import { Notices } from "./notices.js";
import { FileShareUI } from "./file-share-ui.js";
import { CallRecorder, recordingName } from "./recorder.js";
import { loadDashboard } from "./proctoring-modules.js";
import { callError } from "./call-errors.js";
import { showStep, showCallEnded } from "./steps.js";

const $ = (id) => document.getElementById(id);
const notices = new Notices($("notices"));

async function main() {
  showStep("start");
  const { code, secret, check } = await askForRoom(
    { form: $("start-form"), code: $("code"), secret: $("secret"), error: $("start-error"), submit: $("start-submit") }, "interviewer");
  $("room-title").textContent = describeRoom(check.room);

  showStep("devices");
  const { devices, camera } = await DevicePicker.runStep();
  devices.stopMeter();

  const call = new Call({ signalling: new Signalling({ code, secret, role: "interviewer" }), polite: false, camera });
  devices.addEventListener("change", (e) => call.replaceTrack(e.detail.kind, e.detail.track));
  const Dashboard = await loadDashboard();
  const dashboard = new Dashboard($("dashboard"), { onPhase: (label) => call.sendProctor({ type: "phase", label }) });
  bindCall(call, dashboard, devices, camera);
  showStep("call");
  $("local-video").srcObject = camera;
  try {
    await call.start();
  } catch (error) {
    showCallEnded(error.message);
  }
}

function bindCall(call, dashboard, devices, camera) {
  new FileShareUI({ input: $("file-input"), list: $("transfers") }, call, notices);
  const recorder = bindRecorder(call, camera);
  call.addEventListener("peer", (e) => {
    $("call-status").textContent = e.detail.present ? "The candidate is here." : "Waiting for the candidate to join…";
    document.body.dataset.peer = e.detail.present ? "present" : "absent";
  });
  call.addEventListener("track", ({ detail }) => {
    const video = detail.label === "screen" ? $("remote-screen") : $("remote-video");
    if (video.srcObject !== detail.stream) video.srcObject = detail.stream;
    if (detail.label === "screen") {
      $("screen-missing").hidden = true;
      const gone = () => { $("screen-missing").hidden = false; video.srcObject = null; };
      detail.stream.addEventListener("removetrack", gone, { once: true });
      detail.track.addEventListener("ended", gone, { once: true });
    } else {
      devices.applySpeaker(video);
    }
    video.play().catch(() => {});
  });
  call.addEventListener("channel", (e) => {
    // A new connection (the candidate reloaded): they must see the recording notice again.
    if (e.detail.open && recorder.recording) call.sendProctor({ type: "recording", active: true });
  });
  call.addEventListener("proctor", (e) => {
    dashboard.handle(e.detail);
    onProctorMessage(e.detail);
  });
  // Once the call is over for this page its camera and microphone stop (after a recording has taken its last frame).
  const endCapture = () => {
    devices.stop();
    $("local-video").srcObject = null;
  };
  call.addEventListener("ended", async (e) => {
    showCallEnded(e.detail.error?.message ?? "The call ended.");
    // An expired or closed room still leaves the recording to download.
    if (recorder.recording) await recorder.finish();
    endCapture();
  });
  $("phase-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const label = $("phase-label").value.trim();
    if (!label) return;
    call.sendProctor({ type: "phase", label });
    $("phase-label").value = "";
    notices.say(`Marked: ${label}.`);
  });
  $("report-request").addEventListener("click", () => {
    call.sendProctor({ type: "report-request" });
    dashboard.reportRequested?.();
    notices.say("Asked the candidate for the report: they see what it holds and choose whether to send it.");
  });
  $("leave").addEventListener("click", async () => {
    if (recorder.recording) await recorder.finish();
    call.leave();
    endCapture();
    showCallEnded(callError("left").message);
  });
}

function bindRecorder(call, camera) {
  const recorder = new CallRecorder({
    sources: () => ({ screen: $("remote-screen"), remote: $("remote-video"), local: $("local-video") }),
    audio: () => [$("remote-video").srcObject, camera],
  });
  const button = $("record");
  button.addEventListener("click", async () => {
    if (recorder.recording) return finish();
    recorder.start();
    call.sendProctor({ type: "recording", active: true });
    button.textContent = "Stop recording";
    button.setAttribute("aria-pressed", "true");
    $("recording-badge").hidden = false;
    notices.stand("recording", "You are recording this call. The candidate sees a notice saying so.", { kind: "bad" });
  });
  /** Stops, tells the candidate, and offers the file (awaited before leaving, so the candidate hears of it). */
  async function finish() {
    const blob = await recorder.stop();
    if (!blob) return;
    call.sendProctor({ type: "recording", active: false });
    button.textContent = "Record";
    button.setAttribute("aria-pressed", "false");
    $("recording-badge").hidden = true;
    notices.clear("recording");
    const link = $("recording-download");
    if (link.href) URL.revokeObjectURL(link.href);
    link.href = URL.createObjectURL(blob);
    link.download = recordingName();
    link.dataset.bytes = String(blob.size);
    link.dataset.durationMs = String(recorder.stoppedAt - recorder.startedAt);
    link.hidden = false;
    link.textContent = `Download the recording (${Math.round(blob.size / 1e5) / 10} MB)`;
  }
  return { get recording() { return recorder.recording; }, finish };
}

function onProctorMessage(message) {
  switch (message.type) {
    case "phase-ack":
      if (message.error) notices.say(`“${message.label}” was not marked by the candidate's agent (${message.error.message ?? message.error.code ?? message.error}).`, { kind: "warn" });
      break;
    case "report": {
      const link = $("report-download");
      const blob = new Blob([JSON.stringify(message.report, null, 2)], { type: "application/json" });
      link.href = URL.createObjectURL(blob);
      link.download = "proctoring-report.json";
      link.hidden = false;
      notices.say("The candidate sent the proctoring report.", { kind: "ok" });
      break;
    }
    case "report-declined":
      notices.say(`No report: ${message.reason ?? "the candidate did not send it"}.`, { kind: "warn" });
      break;
  }
}

main().catch((error) => {
  console.error(error);
  notices.say(`Something went wrong on this page: ${error.message}. Reload it to try again.`, { kind: "bad", seconds: 0 });
});
