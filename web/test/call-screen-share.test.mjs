// Scripted checks of web/call/screen-share.js with stand-ins for getDisplayMedia, the call, the agent client
// and the page: no browser here.
// Run: node --test web/test/call-screen-share.test.mjs   (Node 20+)

import { test } from "node:test";
import assert from "node:assert/strict";
import { ScreenShare } from "../call/screen-share.js";

/** A whole-monitor track that counts its `ended` listeners. */
class FakeTrack extends EventTarget {
  readyState = "live";
  listeners = new Set();
  getSettings() { return { displaySurface: "monitor" }; }
  stop() { this.readyState = "ended"; } // like the browser's: no event
  addEventListener(type, listener, options) {
    if (type === "ended") this.listeners.add(listener);
    super.addEventListener(type, listener, options);
  }
  removeEventListener(type, listener, options) {
    if (type === "ended") this.listeners.delete(listener);
    super.removeEventListener(type, listener, options);
  }
}

/**
 * A ScreenShare on stand-ins; `asked` is every stream getDisplayMedia gave, `shared` what the call holds.
 * With `held`, the picker stays open until the test calls `pick()`, as a person takes their time.
 */
function setup({ held = false } = {}) {
  const asked = [];
  const picks = [];
  globalThis.navigator = { mediaDevices: {
    getDisplayMedia: async () => {
      if (held) await new Promise((resolve) => picks.push(resolve));
      const track = new FakeTrack();
      const stream = { track, getVideoTracks: () => [track], getTracks: () => [track] };
      asked.push(stream);
      return stream;
    },
  } };
  globalThis.document = { body: { dataset: {} } };
  const shared = new Set();
  const call = { shareScreen: (stream) => shared.add(stream), stopScreen: () => shared.clear() };
  const reported = new Set();
  const client = { reportScreenShare: (stream) => { reported.add(stream); return () => reported.delete(stream); } };
  const said = []; // what the page told the person, in order
  const notices = { clear() {}, stand(_key, text) { said.push(text); } };
  const elements = { preview: { play: async () => {} }, button: new EventTarget(), state: {} };
  const screen = new ScreenShare(elements, call, client, notices);
  const pick = () => picks.shift()();
  return { screen, asked, shared, reported, elements, pick, said };
}

function teardown() {
  delete globalThis.navigator;
  delete globalThis.document;
}

test("start() while a share is live keeps that share: no second prompt, track or listener", async () => {
  try {
    const { screen, asked, shared, reported } = setup();
    assert.equal(await screen.start(), true);
    assert.equal(await screen.start(), true);
    assert.equal(asked.length, 1, "the screen picker was asked once");
    assert.equal(screen.stream, asked[0]);
    assert.equal(asked[0].track.listeners.size, 1);
    assert.equal(shared.size, 1);
    assert.equal(reported.size, 1);
  } finally {
    teardown();
  }
});

test("two start() calls at once ask for the screen once", async () => {
  try {
    const { screen, asked } = setup();
    assert.deepEqual(await Promise.all([screen.start(), screen.start()]), [true, true]);
    assert.equal(asked.length, 1);
  } finally {
    teardown();
  }
});

test("a share that ended leaves nothing behind, and start() then shares anew", async () => {
  try {
    const { screen, asked, shared, reported } = setup();
    await screen.start();
    const first = asked[0];
    first.track.stop();
    first.track.dispatchEvent(new Event("ended"));
    assert.equal(first.track.listeners.size, 0, "no listener left on the ended track");
    assert.equal(shared.size, 0);
    assert.equal(reported.size, 0);

    assert.equal(await screen.start(), true);
    assert.equal(asked.length, 2);
    assert.deepEqual([...shared], [asked[1]]);
    assert.deepEqual([...reported], [asked[1]]);
  } finally {
    teardown();
  }
});

test("stop() while the picker is open: the screen picked afterwards is stopped, not shared", async () => {
  try {
    const { screen, asked, shared, reported, elements, pick } = setup({ held: true });
    const started = screen.start();
    screen.stop();
    pick();
    assert.equal(await started, false, "start() says the screen is not shared");
    assert.equal(asked[0].track.readyState, "ended", "the late share's track is stopped");
    assert.equal(asked[0].track.listeners.size, 0, "no listener left on it");
    assert.equal(screen.stream, null);
    assert.equal(shared.size, 0, "nothing added to the call");
    assert.equal(reported.size, 0, "nothing reported to the agent");
    assert.equal(elements.button.disabled, false, "the person can share again");
  } finally {
    teardown();
  }
});

test("start() after stop() while the same picker is open shares what is picked", async () => {
  try {
    const { screen, asked, shared, pick } = setup({ held: true });
    const first = screen.start();
    screen.stop();
    const second = screen.start();
    pick();
    assert.deepEqual(await Promise.all([first, second]), [true, true]);
    assert.equal(asked.length, 1, "one picker");
    assert.deepEqual([...shared], [asked[0]]);
  } finally {
    teardown();
  }
});

test("end() (the person left) stops the share and a screen picked later, quietly and for good", async () => {
  try {
    const { screen, asked, shared, reported, elements, said } = setup();
    await screen.start();
    assert.equal(elements.button.hidden, true, "sharing: the button is hidden");
    screen.end();
    assert.equal(asked[0].track.readyState, "ended", "the screen capture stops");
    assert.equal(asked[0].track.listeners.size, 0);
    assert.equal(shared.size, 0);
    assert.equal(reported.size, 0);
    assert.equal(elements.button.hidden, true, "no offer to share again");
    assert.equal(await screen.start(), false, "no new share after the call");
    assert.equal(asked.length, 1, "and no picker");
    assert.deepEqual(said, [], "nothing said about sharing after the call");
  } finally {
    teardown();
  }
});

test("end() while the picker is open: the screen picked afterwards is stopped, with no notice", async () => {
  try {
    const { screen, asked, shared, pick, said } = setup({ held: true });
    const started = screen.start();
    screen.end();
    pick();
    assert.equal(await started, false);
    assert.equal(asked[0].track.readyState, "ended");
    assert.equal(shared.size, 0);
    assert.deepEqual(said, [], "nothing said about sharing after the call");
  } finally {
    teardown();
  }
});

test("end() while the picker is open, then the person cancels it: still no notice", async () => {
  try {
    const { screen, said } = setup();
    globalThis.navigator.mediaDevices.getDisplayMedia = async () => {
      screen.end(); // the person left while the picker was up
      throw Object.assign(new Error("Permission denied"), { name: "NotAllowedError" });
    };
    assert.equal(await screen.start(), false);
    assert.deepEqual(said, [], "nothing said about sharing after the call");
  } finally {
    teardown();
  }
});
