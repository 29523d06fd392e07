// Scripted checks of web/call/signalling.js with a fake socket: no call server, no browser.
// Run: node --test web/test/call-signalling.test.mjs   (Node 20+)

import { test } from "node:test";
import assert from "node:assert/strict";
import { Signalling } from "../call/signalling.js";

/** Stands in for WebSocket: the test opens it, feeds it messages and closes it. */
class FakeSocket {
  readyState = 0;
  sent = [];
  onopen = null; onmessage = null; onclose = null; onerror = null;
  constructor(url) { this.url = url; }
  send(text) { this.sent.push(JSON.parse(text)); }
  close(code = 1000) { this.readyState = 3; this.closedWith = code; }
  open() { this.readyState = 1; this.onopen?.(); }
  deliver(message) { this.onmessage?.({ data: JSON.stringify(message) }); }
  drop(code, reason = "") { this.readyState = 3; this.onclose?.({ code, reason }); }
}

function memoryStorage() {
  const map = new Map();
  return { getItem: (k) => map.get(k) ?? null, setItem: (k, v) => map.set(k, v), map };
}

function setup(options = {}) {
  const sockets = [];
  const waiters = [];
  const signalling = new Signalling({
    url: "ws://127.0.0.1:8444/api/signal", code: "K7Q2M-AAAAA-BBBBB-CCCCC", role: "interviewee",
    storage: memoryStorage(), backoff: { initialDelayMs: 5, maxDelayMs: 10 }, ...options,
    createSocket: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      waiters.shift()?.(socket);
      return socket;
    },
  });
  const seen = { states: [], events: [] };
  signalling.addEventListener("state", (e) => seen.states.push(e.detail.state));
  for (const type of ["joined", "peer-joined", "peer-left", "signal", "ended"]) {
    signalling.addEventListener(type, (e) => seen.events.push([type, e.detail]));
  }
  const socket = (index) => sockets[index] ? Promise.resolve(sockets[index]) : new Promise((resolve) => waiters.push(resolve));
  return { signalling, sockets, socket, seen };
}

const JOINED = { type: "joined", role: "interviewee", room: { id: "r1" }, iceServers: [], peers: [] };

test("joins with the code and a peerId kept in storage, then relays signals both ways", async () => {
  const storage = memoryStorage();
  const { signalling, socket, seen } = setup({ storage, secret: "s3cret" });
  const joined = signalling.connect();
  const first = await socket(0);
  assert.equal(first.url, "ws://127.0.0.1:8444/api/signal");
  first.open();
  const join = first.sent[0];
  assert.equal(join.type, "join");
  assert.equal(join.code, "K7Q2M-AAAAA-BBBBB-CCCCC");
  assert.equal(join.secret, "s3cret");
  assert.match(join.peerId, /^[0-9a-f]{32}$/);
  assert.equal(storage.map.get("proctord-call.peerId"), join.peerId);
  first.deliver(JOINED);
  assert.deepEqual((await joined).room, { id: "r1" });
  assert.equal(signalling.state, "connected");

  assert.equal(signalling.signal({ description: { type: "offer", sdp: "v=0" } }), true);
  assert.deepEqual(first.sent[1], { type: "signal", data: { description: { type: "offer", sdp: "v=0" } } });
  first.deliver({ type: "peer-joined", role: "interviewer" });
  first.deliver({ type: "signal", from: "interviewer", data: { candidate: { candidate: "c" } } });
  first.deliver({ type: "error", code: "no_peer" }); // kept: the other side is simply absent
  first.deliver({ type: "peer-left", role: "interviewer", reason: "closed" });
  assert.deepEqual(seen.events.map(([type]) => type), ["joined", "peer-joined", "signal", "peer-left"]);
  assert.equal(seen.events[2][1].data.candidate.candidate, "c");

  // The same tab (same storage) joins as the same peer.
  const again = new Signalling({ code: "x", url: "ws://h/api/signal", storage, createSocket: () => new FakeSocket() });
  assert.equal(again.peerId, join.peerId);
  signalling.close();
});

test("a dropped connection is opened again and joins again with the same peerId", async () => {
  const { signalling, socket, seen } = setup();
  const joined = signalling.connect();
  const first = await socket(0);
  first.open();
  first.deliver(JOINED);
  await joined;
  first.drop(1006);
  assert.equal(signalling.state, "reconnecting");
  const second = await socket(1);
  second.open();
  assert.equal(second.sent[0].peerId, first.sent[0].peerId);
  second.deliver(JOINED);
  assert.equal(signalling.state, "connected");
  assert.deepEqual(seen.states, ["connecting", "connected", "reconnecting", "connected"]);
  assert.equal(seen.events.filter(([type]) => type === "joined").length, 2);
  signalling.close();
});

test("a third peer is refused in plain words and the page does not retry", async () => {
  const { signalling, socket, sockets, seen } = setup();
  const joined = signalling.connect();
  const first = await socket(0);
  first.open();
  first.deliver({ type: "error", code: "room_full", message: "this interview already has an interviewee" });
  first.drop(4409, "room_full");
  await assert.rejects(joined, (error) => {
    assert.equal(error.code, "room_full");
    assert.match(error.message, /already has an interviewee connected/);
    return true;
  });
  assert.equal(signalling.state, "ended");
  assert.equal(seen.events.at(-1)[0], "ended");
  await new Promise((resolve) => setTimeout(resolve, 30));
  assert.equal(sockets.length, 1, "no second attempt");
});

test("each refusal close code maps to its own sentence, even without an error message first", async () => {
  const cases = [
    [4404, "unknown_code", /does not belong to any interview/],
    [4403, "wrong_secret", /interviewer secret/],
    [4425, "not_started", /has not started yet/],
    [4410, "expired", /is over/],
    [4000, "replaced", /another tab or window/],
    [4400, "bad_request", /Reload the page/],
  ];
  for (const [closeCode, code, sentence] of cases) {
    const { signalling, socket } = setup();
    const joined = signalling.connect();
    const first = await socket(0);
    first.open();
    first.drop(closeCode, code);
    await assert.rejects(joined, (error) => error.code === code && sentence.test(error.message) && error.closeCode === closeCode);
  }
});

test("expiry during the call ends it with `ended`, and rate limiting says when to try again", async () => {
  const { signalling, socket, seen } = setup();
  signalling.connect();
  const first = await socket(0);
  first.open();
  first.deliver(JOINED);
  first.deliver({ type: "expired" });
  first.drop(4410);
  const [type, detail] = seen.events.at(-1);
  assert.equal(type, "ended");
  assert.equal(detail.error.code, "expired");

  const limited = setup();
  const joined = limited.signalling.connect();
  const s = await limited.socket(0);
  s.open();
  s.deliver({ type: "error", code: "rate_limited", message: "slow down", retryAfterMs: 42_000 });
  s.drop(4429);
  await assert.rejects(joined, (error) => /Try again in 42 seconds/.test(error.message));
});

test("text that is not JSON, and binary frames, are ignored", async () => {
  const { signalling, socket, seen } = setup();
  const joined = signalling.connect();
  const first = await socket(0);
  first.open();
  first.onmessage({ data: "not json" });
  first.onmessage({ data: new ArrayBuffer(4) });
  first.deliver(JOINED);
  await joined;
  assert.deepEqual(seen.events.map(([type]) => type), ["joined"]);
  signalling.close();
});

test("a closed Signalling does not join again: connect() after close() rejects in plain words, opening no socket", async () => {
  const { signalling, socket, sockets } = setup();
  const joined = signalling.connect();
  const first = await socket(0);
  first.open();
  first.deliver(JOINED);
  await joined;
  signalling.close();
  await assert.rejects(signalling.connect(), (error) => {
    assert.equal(error.code, "left");
    assert.match(error.message, /You left the interview/);
    return true;
  });
  assert.equal(sockets.length, 1, "no second socket");
  assert.equal(signalling.state, "ended");
});

test("close() while joining rejects the pending connect() instead of leaving it waiting", async () => {
  const { signalling, socket } = setup();
  const joined = signalling.connect();
  (await socket(0)).open();
  signalling.close();
  const outcome = await Promise.race([joined.then(() => "joined", (error) => error.code),
    new Promise((resolve) => setTimeout(() => resolve("still waiting"), 100))]);
  assert.equal(outcome, "left");
});
