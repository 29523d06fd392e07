// Scripted checks of web/call/devices.js with stand-ins for the browser's media devices: no browser here.
// Run: node --test web/test/call-devices.test.mjs   (Node 20+)

import { test } from "node:test";
import assert from "node:assert/strict";

/** navigator.mediaDevices as far as the picker uses it, counting its devicechange listeners. */
class FakeMediaDevices extends EventTarget {
  listeners = new Set();
  opened = 0;
  addEventListener(type, listener, options) {
    if (type === "devicechange") this.listeners.add(listener);
    super.addEventListener(type, listener, options);
  }
  removeEventListener(type, listener, options) {
    if (type === "devicechange") this.listeners.delete(listener);
    super.removeEventListener(type, listener, options);
  }
  async getUserMedia() {
    this.opened += 1;
    return { getVideoTracks: () => [], getAudioTracks: () => [], getTracks: () => [] }; // no microphone: no meter
  }
  async enumerateDevices() { return []; }
}

/** Runs `body` with devices.js's module while `mediaDevices` stands in for the browser's, then takes it away. */
async function withMediaDevices(mediaDevices, body) {
  globalThis.navigator = { mediaDevices };
  globalThis.HTMLMediaElement = class {};
  try {
    await body(await import("../call/devices.js"));
  } finally {
    delete globalThis.navigator;
    delete globalThis.HTMLMediaElement;
  }
}

const select = () => Object.assign(new EventTarget(), { value: "", replaceChildren() {} });

test("starting the picker again listens for device changes once", async () => {
  const mediaDevices = new FakeMediaDevices();
  await withMediaDevices(mediaDevices, async ({ DevicePicker }) => {
    const picker = new DevicePicker(
      { camera: select(), microphone: select(), preview: { play: async () => {} } }, { storage: null });
    await picker.start();
    await picker.start(); // a page that asks again (a retry after the person allowed the camera)
    assert.equal(mediaDevices.opened, 2);
    assert.equal(mediaDevices.listeners.size, 1, "one devicechange listener for one picker");
  });
});

/** A stream with one camera track (no microphone: no meter) that knows whether it was stopped. */
function fakeCameraStream() {
  const track = { kind: "video", readyState: "live", stop() { this.readyState = "ended"; }, getSettings: () => ({ deviceId: "cam" }) };
  return { track, getVideoTracks: () => [track], getAudioTracks: () => [], getTracks: () => [track] };
}

test("starting the picker again stops the first stream's tracks: the camera is not left on", async () => {
  const mediaDevices = new FakeMediaDevices();
  const streams = [];
  mediaDevices.getUserMedia = async () => { streams.push(fakeCameraStream()); return streams.at(-1); };
  await withMediaDevices(mediaDevices, async ({ DevicePicker }) => {
    const picker = new DevicePicker(
      { camera: select(), microphone: select(), preview: { play: async () => {} } }, { storage: null });
    await picker.start();
    assert.equal(await picker.start(), streams[1]);
    assert.equal(streams[0].track.readyState, "ended", "the first camera track is stopped");
    assert.equal(streams[1].track.readyState, "live");
    assert.equal(picker.stream, streams[1]);
    assert.equal(mediaDevices.listeners.size, 1, "one devicechange listener for one picker");
  });
});

test("a second start() that fails clears the preview, and a device change then says why, as start() did", async () => {
  const mediaDevices = new FakeMediaDevices();
  const busy = Object.assign(new Error("Could not start video source"), { name: "NotReadableError" });
  mediaDevices.getUserMedia = async () => {
    mediaDevices.opened += 1;
    if (mediaDevices.opened === 2) throw busy; // the second start(): the camera is in use by another program
    return fakeCameraStream();
  };
  await withMediaDevices(mediaDevices, async ({ DevicePicker, explain }) => {
    const camera = select();
    const preview = { srcObject: null, play: async () => {} };
    const status = { textContent: "" };
    const picker = new DevicePicker({ camera, microphone: select(), preview, status }, { storage: null });
    const first = await picker.start();
    assert.equal(preview.srcObject, first);

    const failure = await picker.start().catch((error) => error);
    assert.equal(failure.message, explain(busy).message, "start() rejects with the plain-words error, as the first one would");
    assert.equal(picker.stream, null);
    assert.equal(preview.srcObject, null, "the preview no longer shows the stopped stream");

    const opened = mediaDevices.opened;
    camera.value = "cam2";
    camera.dispatchEvent(new Event("change"));
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(status.textContent, failure.message, "the change says why there is no stream");
    assert.equal(mediaDevices.opened, opened, "no device opened (and left on) for a stream that is not there");
  });
});

test("stop() (the person left) stops the camera and microphone and empties the preview", async () => {
  const mediaDevices = new FakeMediaDevices();
  const streams = [];
  mediaDevices.getUserMedia = async () => { streams.push(fakeCameraStream()); return streams.at(-1); };
  await withMediaDevices(mediaDevices, async ({ DevicePicker }) => {
    const preview = { srcObject: null, play: async () => {} };
    const picker = new DevicePicker({ camera: select(), microphone: select(), preview }, { storage: null });
    await picker.start();
    picker.stop();
    assert.equal(streams[0].track.readyState, "ended", "the camera track is stopped");
    assert.equal(picker.stream, null);
    assert.equal(preview.srcObject, null);
  });
});

test("a device change that resolves after a retry released the stream leaves no device on", async () => {
  const mediaDevices = new FakeMediaDevices();
  const streams = [];
  let release;
  mediaDevices.getUserMedia = async (constraints) => {
    if (constraints.video?.deviceId?.exact === "cam2") await new Promise((resolve) => { release = resolve; });
    streams.push(fakeCameraStream());
    return streams.at(-1);
  };
  await withMediaDevices(mediaDevices, async ({ DevicePicker }) => {
    const camera = select();
    const picker = new DevicePicker({ camera, microphone: select(), preview: { play: async () => {} } }, { storage: null });
    await picker.start();
    camera.value = "cam2";
    camera.dispatchEvent(new Event("change")); // waits in getUserMedia
    picker.stop(); // meanwhile the page is done with the devices
    release();
    await new Promise((resolve) => setTimeout(resolve, 0));
    assert.equal(streams.length, 2);
    assert.equal(streams[1].track.readyState, "ended", "the device the change opened is stopped");
    assert.equal(picker.stream, null);
  });
});
