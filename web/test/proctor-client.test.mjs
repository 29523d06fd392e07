// Scripted checks of proctor-client.js with a fake socket: no agent, no browser.
// Run: node --test web/test/proctor-client.test.mjs   (Node 20+)

import { test } from "node:test";
import assert from "node:assert/strict";
import { ProctorClient, pairingProof } from "../proctor-client.js";

const ORIGIN = "https://meet.example.com";
const CHALLENGE = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA";
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Stands in for WebSocket: the test opens it, feeds it messages and closes it. */
class FakeSocket {
  readyState = 0;
  sent = [];
  onopen = null; onmessage = null; onclose = null; onerror = null;
  send(text) { this.sent.push(JSON.parse(text)); }
  close() { this.readyState = 3; }
  open() { this.readyState = 1; this.onopen?.(); }
  deliver(op, d, id) { this.onmessage?.({ data: JSON.stringify({ op, d, ...(id !== undefined && { id }) }) }); }
  drop(code, reason = "") { this.readyState = 3; this.onclose?.({ code, reason, wasClean: code !== 1006 }); }
  sentOp(op) { return this.sent.find((message) => message.op === op); }
}

function memoryStorage(initial = {}) {
  const map = new Map(Object.entries(initial));
  return { getItem: (k) => map.get(k) ?? null, setItem: (k, v) => map.set(k, v), removeItem: (k) => map.delete(k), map };
}

function hello(extra = {}) {
  return { protocol: 1, agent: { name: "proctord", version: "0.1.0" }, agent_session: "A1", challenge: CHALLENGE,
    auth: ["pairing", "token"], pairing: { digits: 6 }, heartbeat_interval_ms: 15_000, ...extra };
}

function identified(extra = {}) {
  return { session: "s_1", token: "T".repeat(43), token_expires_at: new Date(Date.now() + 3_600_000).toISOString(),
    subscribed: ["*"], next_seq: 10, resume: { status: "none" }, ...extra };
}

/** A client whose sockets are fakes, and a way to wait for the next one. */
function setup({ topics = ["*"], storage = memoryStorage(), askPairingCode = async () => "482913", markWindow = false } = {}) {
  const sockets = [];
  const waiters = [];
  const client = new ProctorClient({
    url: "ws://127.0.0.1:47615/v1", origin: ORIGIN, topics, storage, askPairingCode,
    reconnect: { initialDelayMs: 10, maxDelayMs: 20 }, markWindow,
    createSocket: () => {
      const socket = new FakeSocket();
      sockets.push(socket);
      waiters.shift()?.(socket);
      return socket;
    },
  });
  const seen = { events: [], gaps: [], dropped: [], states: [], errors: [] };
  client.addEventListener("event", (e) => seen.events.push(e.detail));
  client.addEventListener("gap", (e) => seen.gaps.push(e.detail));
  client.addEventListener("dropped", (e) => seen.dropped.push(e.detail));
  client.addEventListener("state", (e) => seen.states.push(e.detail.state));
  client.addEventListener("error", (e) => seen.errors.push(e.detail.code));
  const nextSocket = (index) => sockets[index] ? Promise.resolve(sockets[index]) : new Promise((resolve) => waiters.push(resolve));
  return { client, sockets, seen, nextSocket, storage };
}

/** Drives one socket through hello and identified. */
async function handshake(socket, helloExtra = {}, identifiedExtra = {}) {
  socket.open();
  socket.deliver("hello", hello(helloExtra));
  await until(() => socket.sentOp("identify"));
  socket.deliver("identified", identified(identifiedExtra));
}

/** A client that has paired through its first socket, which it returns too. */
async function connectedClient(options) {
  const parts = setup(options);
  const connected = parts.client.connect();
  const socket = await parts.nextSocket(0);
  await handshake(socket);
  await connected;
  return { ...parts, socket };
}

async function until(condition, ms = 2_000) {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await sleep(5);
  }
}

test("the pairing proof matches the worked example in docs/protocol.md", async () => {
  assert.equal(await pairingProof("482913", CHALLENGE, ORIGIN), "f2fcf13bd26a5930d091fc4dd20c35a167336a46f485988bb4c5a3e67981b364");
});

test("pairs with a proof, stores the token, dispatches events per topic", async () => {
  const { client, sockets, nextSocket, storage } = setup({ topics: ["alert"] });
  const perTopic = [];
  client.addEventListener("event:alert", (e) => perTopic.push(e.detail.seq));
  const connected = client.connect();
  await handshake(await nextSocket(0));
  await connected;
  const identify = sockets[0].sentOp("identify").d;
  assert.equal(identify.auth.pairing, "f2fcf13bd26a5930d091fc4dd20c35a167336a46f485988bb4c5a3e67981b364");
  assert.deepEqual(identify.subscribe, ["alert"]);
  assert.equal(identify.resume, undefined);
  sockets[0].deliver("event", { topic: "alert", seq: 10, ts: "", plugin: "host", data: {} });
  assert.deepEqual(perTopic, [10]);
  const stored = JSON.parse([...storage.map.values()][0]);
  assert.equal(stored.token, "T".repeat(43));
  assert.equal(stored.agentSession, "A1");
  client.close();
});

test("a seq jump with '*' is a gap unless a dropped notice explains it", async () => {
  const { client, nextSocket, seen, socket } = await connectedClient();
  const event = (seq) => socket.deliver("event", { topic: "gaze.sample", seq, ts: "", plugin: "gaze", data: {} });
  event(10); event(11); event(15); // 12-14 thinned...
  socket.deliver("dropped", { count: 3, total: 3, topics: ["gaze.sample"] }); // ...and said so
  event(16); event(19); // 17-18 lost without a word
  await sleep(1_100);
  assert.equal(seen.dropped.length, 1);
  assert.deepEqual(seen.gaps, [{ reason: "seq_jump", missed: 2, afterSeq: 16, nextSeq: 19 }]);
  client.close();
});

test("with a partial subscription, seq jumps are normal", async () => {
  const { client, nextSocket, seen, socket } = await connectedClient({ topics: ["alert"] });
  socket.deliver("event", { topic: "alert", seq: 10, ts: "", plugin: "host", data: {} });
  socket.deliver("event", { topic: "alert", seq: 40, ts: "", plugin: "host", data: {} });
  await sleep(1_100);
  assert.deepEqual(seen.gaps, []);
  client.close();
});

test("a silent agent is left after three heartbeat intervals; the reconnect resumes after the last seq", async () => {
  const { client, nextSocket, seen } = setup();
  const connected = client.connect();
  const first = await nextSocket(0);
  await handshake(first, { heartbeat_interval_ms: 40 });
  await connected;
  first.deliver("event", { topic: "x", seq: 10, ts: "", plugin: "p", data: {} });
  await until(() => first.sent.some((m) => m.op === "heartbeat")); // the client's own heartbeat
  const second = await nextSocket(1); // comes once the agent has been silent > 120 ms
  await handshake(second, { heartbeat_interval_ms: 40 }, { resume: { status: "replayed", from_seq: 11, count: 0 } });
  const identify = second.sentOp("identify").d;
  assert.deepEqual(identify.auth, { token: "T".repeat(43) });
  assert.deepEqual(identify.resume, { agent_session: "A1", after_seq: 10 });
  await until(() => client.state === "identified");
  assert.ok(seen.states.includes("reconnecting"));
  client.close();
});

test("an agent restart is reported as a gap of unknown size", async () => {
  const storage = memoryStorage({
    "proctord.session.ws://127.0.0.1:47615/v1": JSON.stringify({
      token: "T".repeat(43), tokenExpiresAt: new Date(Date.now() + 3_600_000).toISOString(), agentSession: "OLD", lastSeq: 500,
    }),
  });
  const { client, nextSocket, seen } = setup({ storage });
  const connected = client.connect();
  const socket = await nextSocket(0);
  await handshake(socket, { agent_session: "NEW" }, { next_seq: 3, resume: { status: "new_agent_session" } });
  await connected;
  assert.deepEqual(socket.sentOp("identify").d.resume, { agent_session: "OLD", after_seq: 500 });
  assert.deepEqual(seen.gaps, [{ reason: "agent_restarted", missed: null, afterSeq: 500, nextSeq: 3 }]);
  client.close();
});

test("a refused token (4004) falls back to the pairing code on a new socket", async () => {
  const storage = memoryStorage({
    "proctord.session.ws://127.0.0.1:47615/v1": JSON.stringify({ token: "OLD", tokenExpiresAt: new Date(Date.now() + 3_600_000).toISOString() }),
  });
  let asked = 0;
  const { client, nextSocket } = setup({ storage, askPairingCode: async () => { asked++; return "482 913"; } });
  const connected = client.connect();
  const first = await nextSocket(0);
  first.open();
  first.deliver("hello", hello());
  await until(() => first.sentOp("identify"));
  assert.deepEqual(first.sentOp("identify").d.auth, { token: "OLD" });
  first.drop(4004, "the token expired or was revoked: pair again");
  const second = await nextSocket(1);
  await handshake(second);
  await connected;
  assert.equal(asked, 1);
  assert.ok(second.sentOp("identify").d.auth.pairing);
  client.close();
});

test("an expired token is not presented", async () => {
  const storage = memoryStorage({
    "proctord.session.ws://127.0.0.1:47615/v1": JSON.stringify({ token: "OLD", tokenExpiresAt: new Date(Date.now() - 1_000).toISOString() }),
  });
  const { client, nextSocket, socket } = await connectedClient({ storage });
  assert.ok(socket.sentOp("identify").d.auth.pairing);
  client.close();
});

test("a code typed after the agent gave up waiting (4006) is used on a new socket with its new challenge", async () => {
  let release;
  const typed = new Promise((resolve) => { release = resolve; });
  const { client, nextSocket } = setup({ askPairingCode: () => typed });
  const connected = client.connect();
  const first = await nextSocket(0);
  first.open();
  first.deliver("hello", hello());
  await sleep(20);
  first.drop(4006, "no identify within 10 s");
  release("482913");
  const second = await nextSocket(1);
  second.open();
  second.deliver("hello", hello({ challenge: "c2" }));
  await until(() => second.sentOp("identify"));
  assert.equal(second.sentOp("identify").d.auth.pairing, await pairingProof("482913", "c2", ORIGIN));
  second.deliver("identified", identified());
  await connected;
  assert.equal(first.sent.length, 0);
  client.close();
});

for (const [code, reason, expected, field, value] of [
  [4003, "wrong pairing code; 2 tries left", "auth_failed", "triesLeft", 2],
  [4008, "pairing locked for 42 s after too many wrong codes", "pairing_locked", "lockedForSeconds", 42],
  [4005, "unsupported protocol 1; this agent speaks 2", "unsupported_protocol", "closeCode", 4005],
]) {
  test(`close ${code} during identify rejects connect() with ${expected} and does not reconnect`, async () => {
    const { client, nextSocket, sockets } = setup();
    const connected = client.connect();
    const socket = await nextSocket(0);
    socket.open();
    socket.deliver("hello", hello());
    await until(() => socket.sentOp("identify"));
    socket.drop(code, reason);
    const error = await connected.catch((e) => e);
    assert.equal(error.code, expected);
    assert.equal(error[field], value);
    await sleep(50);
    assert.equal(sockets.length, 1);
    assert.equal(client.state, "closed");
  });
}

test("requests: answers, agent errors, timeouts, and rejection on close", async () => {
  const { client, nextSocket, socket } = await connectedClient();
  const ping = client.request("heartbeat", "ping");
  const failing = client.request("gaze", "calibrate");
  const slow = client.request("host", "plugins.list", {}, { timeoutMs: 30 });
  const pending = client.request("host", "session.info");
  const [pingId, failingId] = socket.sent.filter((m) => m.op === "request").map((m) => m.id);
  socket.deliver("response", { result: { pong: true } }, pingId);
  socket.deliver("response", { error: { code: "not_running", message: "plugin gaze is crashed" } }, failingId);
  assert.deepEqual(await ping, { pong: true });
  assert.equal((await failing.catch((e) => e)).code, "not_running");
  assert.equal((await slow.catch((e) => e)).code, "timeout");
  socket.drop(1006);
  assert.equal((await pending.catch((e) => e)).code, "closed");
  client.close();
});

/** Runs `body` with setTimeout counted; `pending()` says how many timers have neither fired nor been cleared. */
async function withTimersCounted(body) {
  const real = { setTimeout: globalThis.setTimeout, clearTimeout: globalThis.clearTimeout };
  const live = new Set();
  globalThis.setTimeout = (callback, ms, ...rest) => {
    const id = real.setTimeout((...args) => { live.delete(id); callback(...args); }, ms, ...rest);
    live.add(id);
    return id;
  };
  globalThis.clearTimeout = (id) => { live.delete(id); real.clearTimeout(id); };
  try {
    await body(() => live.size);
  } finally {
    for (const id of live) real.clearTimeout(id);
    Object.assign(globalThis, real);
  }
}

test("close() right after a socket error (no close event, as in Node) leaves no timer pending", () => withTimersCounted(async (pending) => {
  const { client, socket } = await connectedClient();
  socket.onerror?.(); // the link waits 1 s for a close that Node never sends
  client.close();
  assert.equal(pending(), 0, "no timer of the client or its link outlives close()");
}));

test("endSession() leaves no timer pending once the agent has closed, or once close() is called", () => withTimersCounted(async (pending) => {
  // The agent answers and closes: endSession is done, and its 2 s wait for the close goes with it.
  const first = await connectedClient();
  const ended = first.client.endSession();
  await until(() => first.socket.sentOp("request"));
  first.socket.deliver("response", { result: {} }, first.socket.sentOp("request").id);
  await sleep(5);
  first.socket.drop(1000, "session ended");
  await ended;
  assert.equal(pending(), 0, "no timer outlives a finished endSession()");

  // The agent answers but never closes: close() ends the wait at once.
  const second = await connectedClient();
  const ending = second.client.endSession();
  await until(() => second.socket.sentOp("request"));
  second.socket.deliver("response", { result: {} }, second.socket.sentOp("request").id);
  await sleep(5);
  second.client.close();
  await ending;
  assert.equal(pending(), 0, "no timer outlives close() during endSession()");
}));

test("revoked while connected (4009): closed, token forgotten, no reconnect", async () => {
  const { client, nextSocket, sockets, seen, storage, socket } = await connectedClient();
  socket.drop(4009, "the session was revoked");
  await sleep(50);
  assert.equal(client.state, "closed");
  assert.deepEqual(seen.errors, ["session_revoked"]);
  assert.equal(sockets.length, 1);
  assert.equal(JSON.parse([...storage.map.values()][0]).token, undefined);
});

test("a dropped notice ahead of its hole still explains it", async () => {
  const { client, nextSocket, seen, socket } = await connectedClient();
  const event = (seq) => socket.deliver("event", { topic: "gaze.sample", seq, ts: "", plugin: "gaze", data: {} });
  event(10); event(11); event(12);
  socket.deliver("dropped", { count: 3, total: 3, topics: ["gaze.sample"] }); // counted before 13-15 went missing
  event(16); event(17);
  await sleep(1_100);
  assert.deepEqual(seen.gaps, []);
  client.close();
});

test("a subscription the agent refuses leaves the old topics for the next identify", async () => {
  const { client, nextSocket, socket } = await connectedClient({ topics: ["alert"] });
  const refused = client.subscribe(["Alert"]);
  await until(() => socket.sentOp("subscribe"));
  const { id } = socket.sentOp("subscribe");
  socket.deliver("response", { error: { code: "invalid_topics", message: "not a topic pattern: Alert" } }, id);
  assert.equal((await refused.catch((e) => e)).code, "invalid_topics");
  assert.deepEqual(client.topics, ["alert"]);
  socket.drop(1006);
  const next = await nextSocket(1);
  next.open();
  next.deliver("hello", hello());
  await until(() => next.sentOp("identify"));
  assert.deepEqual(next.sentOp("identify").d.subscribe, ["alert"]);
  client.close();
});

test("after a revocation, a new pairing does not ask to resume", async () => {
  const { client, nextSocket, sockets, socket } = await connectedClient();
  socket.deliver("event", { topic: "alert", seq: 12, ts: "", plugin: "host", data: {} });
  socket.drop(4009, "the session was revoked");
  await sleep(20);
  const again = client.connect();
  const fresh = await nextSocket(1);
  await handshake(fresh);
  await again;
  const identify = sockets[1].sentOp("identify").d;
  assert.ok(identify.auth.pairing, "paired with the code");
  assert.equal(identify.resume, undefined);
  client.close();
});

test("endSession while reconnecting stops reconnecting and forgets the session", async () => {
  const { client, nextSocket, sockets, storage, socket } = await connectedClient();
  socket.drop(1006);
  await until(() => client.state === "reconnecting");
  await client.endSession();
  await sleep(100);
  assert.equal(client.state, "closed");
  const opened = sockets.length;
  await sleep(100);
  assert.equal(sockets.length, opened, "no further sockets");
  assert.equal([...storage.map.values()].length, 0);
});

test("a share that stops while the agent is away is reported once identified again", async () => {
  const { client, nextSocket, socket } = await connectedClient();
  const track = new EventTarget();
  track.readyState = "live";
  track.getSettings = () => ({ displaySurface: "monitor" });
  client.reportScreenShare(track);
  const reports = (s) => s.sent.filter((m) => m.op === "request" && m.d.method === "share_state");
  await until(() => reports(socket).length === 1);
  socket.deliver("response", { result: { recorded: true } }, reports(socket)[0].id);
  socket.drop(1006);
  track.readyState = "ended";
  track.dispatchEvent(new Event("ended"));
  const next = await nextSocket(1);
  await handshake(next);
  await until(() => reports(next).some((m) => m.d.params.active === false));
  client.close();
});

test("an agent that closes each connection right after identifying is not hammered", async () => {
  const { client, nextSocket, socket } = await connectedClient();
  const waits = [];
  client.addEventListener("state", (e) => { if (e.detail.state === "reconnecting") waits.push(e.detail.attempt); });
  socket.drop(4007, "too slow");
  for (let index = 1; index <= 3; index++) {
    const next = await nextSocket(index);
    await handshake(next);
    await until(() => client.state === "identified");
    next.drop(4007, "too slow");
  }
  await until(() => waits.length === 4);
  assert.deepEqual(waits, [1, 2, 3, 4], "each quick close waits longer than the last");
  client.close();
});

test("the page reports its visibility, focus and full screen to the host: all once identified, then only changes", async () => {
  // A stand-in page: the client reads these and listens on them.
  const page = Object.assign(new EventTarget(), { visibilityState: "visible", fullscreenElement: null, hasFocus: () => true });
  globalThis.document = page;
  globalThis.window = new EventTarget();
  try {
    const { client, socket, nextSocket } = await connectedClient();
    const reports = (from) => from.sent.filter((m) => m.op === "request" && m.d.target === "host" && m.d.method.startsWith("page."))
      .map((m) => [m.d.method, m.d.params]);
    await until(() => reports(socket).length === 3);
    assert.deepEqual(reports(socket), [
      ["page.visibility", { visible: true }], ["page.focus", { focused: true }], ["page.fullscreen", { full_screen: false }]]);

    page.visibilityState = "hidden";
    page.dispatchEvent(new Event("visibilitychange"));
    page.dispatchEvent(new Event("visibilitychange")); // no change: nothing more
    window.dispatchEvent(new Event("blur"));
    assert.deepEqual(reports(socket).slice(3), [["page.visibility", { visible: false }], ["page.focus", { focused: false }]]);

    // After a reconnect the agent may have restarted: the whole state again.
    socket.drop(1006);
    const again = await nextSocket(1);
    await handshake(again);
    await until(() => reports(again).length === 3);
    assert.deepEqual(reports(again).map(([method]) => method), ["page.visibility", "page.focus", "page.fullscreen"]);
    assert.deepEqual(reports(again)[0], ["page.visibility", { visible: false }]);

    // An agent without page signals answers unknown_method: the client stops sending them, quietly.
    for (const message of again.sent.filter((m) => m.op === "request")) {
      again.deliver("response", { error: { code: "unknown_method", message: "no such method" } }, message.id);
    }
    await sleep(10);
    page.visibilityState = "visible";
    page.dispatchEvent(new Event("visibilitychange"));
    assert.equal(reports(again).length, 3);
    client.close();
  } finally {
    delete globalThis.document;
    delete globalThis.window;
  }
});

// --- what the client installs on the page, and that it installs it once ----------------------------------

/** An EventTarget that knows which listeners it holds, so a test can count what a client left behind. */
class CountingTarget extends EventTarget {
  #held = new Map(); // type -> Set of listeners
  addEventListener(type, listener, options) {
    if (!this.#held.has(type)) this.#held.set(type, new Set());
    this.#held.get(type).add(listener);
    super.addEventListener(type, listener, options);
  }
  removeEventListener(type, listener, options) {
    this.#held.get(type)?.delete(listener);
    super.removeEventListener(type, listener, options);
  }
  held(type) { return type ? this.#held.get(type)?.size ?? 0 : [...this.#held.values()].reduce((sum, set) => sum + set.size, 0); }
}

/**
 * A stand-in page (no browser here): document and window that count their listeners, and the one-second
 * intervals the client starts (the share watch's period; the heartbeat's is the agent's, 15 s here).
 */
function fakePage() {
  const page = Object.assign(new CountingTarget(), {
    visibilityState: "visible", fullscreenElement: null, fullscreenEnabled: true, title: "Interview",
    hasFocus: () => true, documentElement: { requestFullscreen: async () => {} },
  });
  const win = new CountingTarget();
  const live = new Set();
  const { setInterval: realSet, clearInterval: realClear } = globalThis;
  Object.assign(globalThis, {
    document: page, window: win,
    addEventListener: win.addEventListener.bind(win), removeEventListener: win.removeEventListener.bind(win),
    setInterval: (callback, ms, ...rest) => {
      const id = realSet(callback, ms, ...rest);
      if (ms === 1_000) live.add(id);
      return id;
    },
    clearInterval: (id) => { live.delete(id); realClear(id); },
  });
  return {
    page, win, shareWatches: () => live.size,
    restore() {
      for (const id of live) realClear(id);
      Object.assign(globalThis, { setInterval: realSet, clearInterval: realClear });
      for (const name of ["document", "window", "addEventListener", "removeEventListener"]) delete globalThis[name];
    },
  };
}

/** Runs a test on a stand-in page, put back as it was afterwards. */
async function onFakePage(body) {
  const fake = fakePage();
  try {
    await body(fake);
  } finally {
    fake.restore();
  }
}

function fakeTrack(surface = "monitor") {
  return Object.assign(new CountingTarget(), { readyState: "live", muted: false, getSettings: () => ({ displaySurface: surface }) });
}

/** The agent drops the connection; the client's next socket goes through the handshake. */
async function reconnected(socket, nextSocket, index, helloExtra = {}) {
  socket.drop(1006);
  const again = await nextSocket(index);
  await handshake(again, helloExtra);
  return again;
}

/** Waits for the first `method` request on `socket`, then a little for any that would follow it. */
async function settledRequests(socket, method) {
  await until(() => requests(socket, method).length >= 1);
  await sleep(20);
  return requests(socket, method);
}

const requests = (socket, method) => socket.sent.filter((m) => m.op === "request" && m.d.method === method);
const answerAll = (socket, method, result = {}) => {
  for (const message of requests(socket, method)) socket.deliver("response", { result }, message.id);
};

test("reportScreenShare twice for one track: one watch, one report after a reconnect, one stop report", () => onFakePage(async (fake) => {
  const { client, socket, nextSocket } = await connectedClient();
  const track = fakeTrack();
  client.reportScreenShare(track);
  const stop = client.reportScreenShare(track); // a page that reports the same share again
  assert.equal(fake.shareWatches(), 1, "one interval watches the track");
  answerAll(socket, "share_state", { recorded: true });

  const again = await reconnected(socket, nextSocket, 1);
  assert.equal((await settledRequests(again, "share_state")).length, 1, "the share is reported once after the reconnect");
  answerAll(again, "share_state", { recorded: true });

  track.readyState = "ended";
  track.dispatchEvent(new Event("ended"));
  await until(() => requests(again, "share_state").length === 2);
  await sleep(20);
  assert.deepEqual(requests(again, "share_state").map((m) => m.d.params.active), [true, false], "one stop report");
  assert.equal(requests(again, "page.screen_share").filter((m) => m.d.params.track === "ended").length, 1);
  answerAll(again, "share_state", { recorded: true });
  await sleep(10);
  stop();
  assert.equal(fake.shareWatches(), 0, "no interval left once the share ended");
  assert.equal(track.held(), 0, "no listener left on the track");
  client.close();
}));

test("a new share replaces the old one: the old track's end is not reported, and nothing of it is left", () => onFakePage(async (fake) => {
  const { client, socket, nextSocket } = await connectedClient();
  const first = fakeTrack("monitor");
  const second = fakeTrack("window");
  client.reportScreenShare(first);
  client.reportScreenShare(second); // the page shares again without stopping the first report
  assert.equal(fake.shareWatches(), 1);
  assert.equal(first.held(), 0, "the first track is no longer watched");
  answerAll(socket, "share_state", { recorded: true });
  first.readyState = "ended";
  first.dispatchEvent(new Event("ended"));
  await sleep(20);
  assert.deepEqual(requests(socket, "share_state").map((m) => m.d.params.active), [true, true],
    "the first track's end says nothing: the second share is live");

  const again = await reconnected(socket, nextSocket, 1);
  assert.deepEqual((await settledRequests(again, "share_state")).map((m) => m.d.params.display_surface), ["window"]);
  client.close();
}));

test("a share the page stops itself (track.stop(), no event) leaves no interval once reported", () => onFakePage(async (fake) => {
  const { client, socket } = await connectedClient();
  const track = fakeTrack();
  client.reportScreenShare(track);
  answerAll(socket, "share_state", { recorded: true });
  track.readyState = "ended"; // what track.stop() does: no "ended" event
  await until(() => requests(socket, "share_state").length === 2, 3_000);
  answerAll(socket, "share_state", { recorded: true });
  await until(() => fake.shareWatches() === 0);
  assert.deepEqual(requests(socket, "page.screen_share").map((m) => m.d.params.track), ["live", "ended"]);
  client.close();
}));

test("close() removes every listener and interval the client put on the page, the track and itself", () => onFakePage(async (fake) => {
  const { client, socket } = await connectedClient({ markWindow: true });
  await until(() => requests(socket, "window_marker").length === 1);
  answerAll(socket, "window_marker", { marker: "[pd-1]" });
  const track = fakeTrack();
  client.reportScreenShare(track);
  client.keepFullScreen();
  await until(() => requests(socket, "page_state").length >= 1);
  assert.ok(fake.page.held() > 0 && fake.win.held() > 0 && track.held() > 0);

  client.close();
  assert.equal(fake.page.held(), 0, "no listener left on document");
  assert.equal(fake.win.held(), 0, "no listener left on window");
  assert.equal(track.held(), 0, "no listener left on the track");
  assert.equal(fake.shareWatches(), 0, "no share watch left");
  assert.equal(fake.page.title, "Interview", "the marker left the title");
}));

test("a keepFullScreen stop kept from before close() does not drop the one asked after connect()", () => onFakePage(async (fake) => {
  const { client, nextSocket } = await connectedClient();
  const stale = client.keepFullScreen();
  client.close();
  const connected = client.connect();
  const again = await nextSocket(1);
  await handshake(again);
  await connected;
  client.keepFullScreen();
  assert.ok(fake.win.held("click") > 0, "the new keeping listens for clicks");
  stale(); // the page calls the stop it kept from the first time
  client.close();
  assert.equal(fake.win.held(), 0, "close() still takes the new keeping's listeners off");
  assert.equal(fake.page.held("fullscreenchange"), 0);
}));

test("after close() and connect() again, each page signal is reported once", () => onFakePage(async (fake) => {
  const { client, socket, nextSocket } = await connectedClient();
  await until(() => requests(socket, "page.visibility").length === 1);
  client.close();
  const connected = client.connect();
  const again = await nextSocket(1);
  await handshake(again);
  await connected;
  await until(() => requests(again, "page.visibility").length === 1);
  fake.page.visibilityState = "hidden";
  fake.page.dispatchEvent(new Event("visibilitychange"));
  fake.win.dispatchEvent(new Event("blur"));
  await sleep(10);
  assert.deepEqual(requests(again, "page.visibility").map((m) => m.d.params.visible), [true, false]);
  assert.deepEqual(requests(again, "page.focus").map((m) => m.d.params.focused), [true, false]);
  assert.equal(fake.page.held("visibilitychange"), 1, "one visibility listener");
  client.close();
}));

test("an agent that restarted hears the page's state once, and each later change once", () => onFakePage(async (fake) => {
  const { client, socket, nextSocket } = await connectedClient({ markWindow: true });
  client.keepFullScreen(); // installs the page_state watch before the marker arrives
  await until(() => requests(socket, "window_marker").length === 1);
  answerAll(socket, "window_marker", { marker: "[pd-1]" });
  assert.equal((await settledRequests(socket, "page_state")).length, 1, "one page_state once marked");

  const again = await reconnected(socket, nextSocket, 1, { agent_session: "A2" }); // a new run of the agent: a new marker
  await until(() => requests(again, "window_marker").length === 1);
  answerAll(again, "window_marker", { marker: "[pd-2]" });
  await until(() => fake.page.title.includes("[pd-2]"));
  await sleep(20);
  assert.equal(requests(again, "page_state").length, 1, "one page_state after the reconnect");
  assert.ok(!fake.page.title.includes("[pd-1]"), "the old marker is gone");

  fake.page.visibilityState = "hidden";
  fake.page.dispatchEvent(new Event("visibilitychange"));
  await sleep(10);
  assert.equal(requests(again, "page_state").length, 2, "one page_state for the change");
  assert.equal(requests(again, "page.visibility").filter((m) => m.d.params.visible === false).length, 1);
  client.close();
}));
