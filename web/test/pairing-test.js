// Loaded by a test harness in headless Chromium from an allowed origin. It pairs with the agent named in
// the query string through ../proctor-client.js, pings the heartbeat plugin, and records what happened
// in window.testState and document.title, which a harness reads with Runtime.evaluate.
//
// testState: {status: "connecting" | "identified" | "error", session, errors: [{code, message}],
//             events: [first 50 events], seqs: [every seq, up to 10,000], states: [state names],
//             gaps: [...], ping: result, pingError, clicks: clicks that reached the page}
// With &keep_full_screen=1 the page calls client.keepFullScreen() once identified.
// The title becomes "identified" once paired AND the ping has been answered (or has failed, in pingError),
// so a harness that sees it finds everything filled in; "error:<code>" on failure.

import { ProctorClient } from "../proctor-client.js";

const MAX_EVENTS = 50;
const MAX_SEQS = 10_000;

const query = new URLSearchParams(location.search);
const testState = {
  status: "connecting", session: null, errors: [], events: [], seqs: [], states: [], gaps: [],
  ping: null, pingError: null, clicks: 0,
};
window.testState = testState;
document.addEventListener("click", () => { testState.clicks += 1; });

function show() {
  document.getElementById("state").textContent = JSON.stringify(testState, null, 2);
}

function recordError(error) {
  const { code = "exception", message = String(error), permission, closeCode, closeReason } = error;
  testState.errors.push({ code, message, permission, closeCode, closeReason });
  show();
}

function fail(error) {
  recordError(error);
  testState.status = "error";
  document.title = `error:${error.code ?? "exception"}`;
  show();
}

function makeClient() {
  const topics = (query.get("topics") ?? "heartbeat.tick").split(",").filter(Boolean);
  const client = new ProctorClient({
    url: query.get("agent") ?? undefined,
    topics,
    clientName: "pairing test",
    clientVersion: "1",
    storage: query.get("storage") === "local" ? localStorage : null,
    // The code from the query; one of the wrong shape is reported, not asked for again.
    askPairingCode: async ({ error }) => {
      if (error?.code === "invalid_code") throw error;
      return query.get("code") ?? "";
    },
  });
  client.addEventListener("event", ({ detail }) => {
    if (testState.events.length < MAX_EVENTS) testState.events.push(detail);
    if (testState.seqs.length < MAX_SEQS) testState.seqs.push(detail.seq);
  });
  client.addEventListener("state", ({ detail }) => { testState.states.push(detail.state); show(); });
  client.addEventListener("gap", ({ detail }) => { testState.gaps.push(detail); show(); });
  client.addEventListener("error", ({ detail }) => recordError(detail));
  return client;
}

async function run() {
  const client = makeClient();
  window.testClient = client; // for a harness that wants to go further
  try {
    const identified = await client.connect();
    testState.session = identified.session;
  } catch (error) {
    fail(error);
    return;
  }
  try {
    testState.ping = await client.request("heartbeat", "ping", {}, { timeoutMs: 5_000 });
  } catch (error) {
    testState.pingError = { code: error.code, message: error.message };
  }
  if (query.get("keep_full_screen") === "1") window.stopKeepingFullScreen = client.keepFullScreen();
  testState.status = "identified";
  document.title = "identified";
  show();
  setInterval(show, 500); // keep the visible copy current for --dump-dom
}

run();
