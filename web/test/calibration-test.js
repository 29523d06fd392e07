// Loaded by a test harness in headless Chromium from an allowed origin. It pairs with the agent named in
// the query string through ../proctor-client.js, runs ../calibration.js against the gaze plugin without
// waiting for a click, and records what happened in window.testState and document.title.
//
// testState: {status: "connecting" | "calibrating" | "calibrated" | "error", session, progress: [{phase, ...}],
//             result (runCalibration's), error: {code, message}, subscribedBefore, subscribedAfter}
// The title becomes "calibrated" or "error:<code>" once everything above is filled in.
// With hold=1 the result screen stays up (for screenshots): the title then waits for a click on Done.

import { ProctorClient } from "../proctor-client.js";
import { runCalibration } from "../calibration.js";

const MAX_PROGRESS = 200;

const query = new URLSearchParams(location.search);
const testState = {
  status: "connecting", session: null, progress: [], result: null, error: null,
  subscribedBefore: null, subscribedAfter: null,
};
window.testState = testState;

function show() {
  document.getElementById("state").textContent = JSON.stringify(testState, null, 2);
}

function numberParam(name, fallback) {
  const value = query.get(name);
  return value === null || value === "" ? fallback : Number(value);
}

function makeClient() {
  return new ProctorClient({
    url: query.get("agent") ?? undefined,
    topics: (query.get("topics") ?? "plugin.state").split(",").filter(Boolean),
    clientName: "calibration test",
    clientVersion: "1",
    storage: null,
    askPairingCode: async ({ error }) => {
      if (error?.code === "invalid_code") throw error;
      return query.get("code") ?? "";
    },
  });
}

function calibrationOptions() {
  return {
    autoStart: query.get("autostart") !== "0",
    settleMs: numberParam("settle", 100),
    collectMs: numberParam("collect", 300),
    reconnectGraceMs: numberParam("grace", 15_000),
    autoFinishMs: query.get("hold") === "1" ? null : numberParam("finish", 300),
    onProgress: (step) => {
      if (testState.progress.length < MAX_PROGRESS) testState.progress.push(step);
      show();
    },
  };
}

async function subscribedTopics(client) {
  try {
    return (await client.request("host", "session.info")).subscribed;
  } catch {
    return null;
  }
}

function finish(status, title) {
  testState.status = status;
  show();
  document.title = title;
}

async function run() {
  const client = makeClient();
  window.testClient = client; // for a harness that wants to go further
  try {
    testState.session = (await client.connect()).session;
  } catch (error) {
    testState.error = { code: error.code ?? "exception", message: error.message };
    finish("error", `error:${testState.error.code}`);
    return;
  }
  testState.status = "calibrating";
  testState.subscribedBefore = await subscribedTopics(client);
  show();
  try {
    testState.result = await runCalibration(client, calibrationOptions());
    testState.subscribedAfter = await subscribedTopics(client);
    finish("calibrated", "calibrated");
  } catch (error) {
    testState.error = { code: error.code ?? "exception", message: error.message };
    testState.subscribedAfter = await subscribedTopics(client);
    finish("error", `error:${testState.error.code}`);
  }
}

run();
