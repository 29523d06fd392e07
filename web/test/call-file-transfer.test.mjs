// Scripted checks of web/call/file-transfer.js over a pair of fake data channels: no browser.
// The fakes stand in for RTCDataChannel (Node has none); they deliver asynchronously, count bufferedAmount like a
// browser does and fire `bufferedamountlow` as the far end drains. Run: node --test web/test/call-file-transfer.test.mjs

import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { FileTransfer, CHUNK_BYTES, HIGH_WATER_BYTES, formatBytes } from "../call/file-transfer.js";

/** One end of an in-memory data channel; `drainPerTick` bytes leave the buffer each macrotask. */
class FakeChannel extends EventTarget {
  readyState = "open";
  bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  peer = null;
  sent = [];
  maxBuffered = 0;
  #queue = [];
  constructor(drainPerTick = 256 * 1024) { super(); this.drainPerTick = drainPerTick; }
  send(data) {
    if (this.readyState !== "open") throw new Error("InvalidStateError");
    const size = typeof data === "string" ? data.length : data.byteLength;
    this.sent.push(typeof data === "string" ? JSON.parse(data) : { binary: size });
    this.bufferedAmount += size;
    this.maxBuffered = Math.max(this.maxBuffered, this.bufferedAmount);
    this.#queue.push({ data, size });
    if (this.#queue.length === 1) setTimeout(() => this.#drain());
  }
  #drain() {
    let budget = this.drainPerTick;
    while (this.#queue.length && budget > 0) {
      const { data, size } = this.#queue.shift();
      budget -= size;
      const before = this.bufferedAmount;
      this.bufferedAmount -= size;
      const copy = typeof data === "string" ? data : data.slice(0);
      this.peer.dispatchEvent(Object.assign(new Event("message"), { data: copy }));
      if (before > this.bufferedAmountLowThreshold && this.bufferedAmount <= this.bufferedAmountLowThreshold) {
        this.dispatchEvent(new Event("bufferedamountlow"));
      }
    }
    if (this.#queue.length) setTimeout(() => this.#drain());
  }
  close() {
    for (const end of [this, this.peer]) { end.readyState = "closed"; end.dispatchEvent(new Event("close")); }
  }
}

function pair(options = {}) {
  const a = new FakeChannel(), b = new FakeChannel();
  a.peer = b; b.peer = a;
  return { a, b, sender: new FileTransfer(a, options), receiver: new FileTransfer(b, options) };
}

const next = (target, type) => new Promise((resolve) => target.addEventListener(type, (e) => resolve(e.detail), { once: true }));
const hex = (bytes) => createHash("sha256").update(bytes).digest("hex");

test("a 5 MiB file arrives intact, in 16 KiB chunks, with back-pressure holding the buffer near 1 MiB", async () => {
  const { a, sender, receiver } = pair();
  const bytes = randomBytes(5 * 1024 * 1024);
  const file = new Blob([bytes]);
  receiver.addEventListener("offer", (e) => receiver.accept(e.detail.id));
  const progress = [];
  receiver.addEventListener("progress", (e) => progress.push(e.detail.bytes));
  const received = next(receiver, "received");
  const sent = await sender.send(file, "interview.bin");
  const got = await received;
  assert.equal(sent.sha256, hex(bytes));
  assert.equal(got.sha256, hex(bytes));
  assert.equal(got.name, "interview.bin");
  assert.deepEqual(Buffer.from(await got.blob.arrayBuffer()), bytes);
  const chunks = a.sent.filter((m) => m.binary);
  assert.equal(chunks.length, Math.ceil(bytes.length / CHUNK_BYTES));
  assert.ok(chunks.every((m) => m.binary <= CHUNK_BYTES));
  assert.ok(a.maxBuffered <= HIGH_WATER_BYTES + CHUNK_BYTES + 1024, `buffered up to ${a.maxBuffered}`);
  assert.deepEqual(a.sent[0].type, "offer");
  assert.deepEqual(a.sent.at(-1), { type: "end", id: sent.id });
  assert.equal(progress.at(-1), bytes.length);
  assert.ok(progress.every((value, i) => i === 0 || value > progress[i - 1]));
});

test("a declined offer rejects the sender's promise and sends no chunk", async () => {
  const { a, sender, receiver } = pair();
  receiver.addEventListener("offer", (e) => receiver.decline(e.detail.id));
  await assert.rejects(sender.send(new Blob([randomBytes(40_000)]), "notes.txt"), { code: "declined" });
  assert.equal(a.sent.filter((m) => m.binary).length, 0);
});

test("a file over the limit is refused before any offer, and an offer over it is declined unasked", async () => {
  const { a, sender } = pair({ maxBytes: 500 });
  await assert.rejects(sender.send(new Blob([randomBytes(1001)]), "big.bin"), (error) => {
    assert.equal(error.code, "too_large");
    assert.match(error.message, /big\.bin is 1\.0 kB: files up to 500 bytes/);
    return true;
  });
  assert.equal(a.sent.length, 0);

  const lenient = pair({ maxBytes: 10_000 });
  const strict = new FileTransfer(lenient.b, { maxBytes: 1000 }); // the receiving side's own limit
  let asked = false;
  strict.addEventListener("offer", () => { asked = true; });
  const failed = next(strict, "failed");
  await assert.rejects(lenient.sender.send(new Blob([randomBytes(5000)]), "big.bin"), { code: "declined" });
  assert.equal(asked, false);
  assert.equal((await failed).error.code, "too_large");
});

test("a file whose bytes differ from its offered hash is discarded", async () => {
  const { a, b } = pair();
  const receiver = new FileTransfer(b);
  receiver.addEventListener("offer", (e) => receiver.accept(e.detail.id));
  const failed = next(receiver, "failed");
  let received = false;
  receiver.addEventListener("received", () => { received = true; });
  // A sender that lies: its offer names the hash of other bytes.
  a.send(JSON.stringify({ type: "offer", id: "f1", name: "x.bin", size: 4, sha256: hex(Buffer.from("abcd")) }));
  await new Promise((resolve) => a.addEventListener("message", resolve, { once: true })); // the accept
  a.send(new Uint8Array([1, 2, 3, 4]).buffer);
  a.send(JSON.stringify({ type: "end", id: "f1" }));
  const detail = await failed;
  assert.equal(detail.error.code, "hash");
  assert.equal(received, false);
});

test("two files sent at once arrive one after the other, each intact", async () => {
  const { sender, receiver } = pair();
  receiver.addEventListener("offer", (e) => receiver.accept(e.detail.id));
  const names = [];
  const both = new Promise((resolve) => receiver.addEventListener("received", async (e) => {
    names.push([e.detail.name, e.detail.sha256]);
    if (names.length === 2) resolve();
  }));
  const one = randomBytes(300_000), two = randomBytes(200_000);
  await Promise.all([sender.send(new Blob([one]), "one"), sender.send(new Blob([two]), "two")]);
  await both;
  assert.deepEqual(names.sort(), [["one", hex(one)], ["two", hex(two)]]);
});

test("a channel that closes mid-transfer fails both ends", async () => {
  const { a, sender, receiver } = pair();
  receiver.addEventListener("offer", (e) => receiver.accept(e.detail.id));
  receiver.addEventListener("progress", () => a.close(), { once: true });
  const receiverFailed = next(receiver, "failed");
  await assert.rejects(sender.send(new Blob([randomBytes(3 * 1024 * 1024)]), "cut.bin"), { code: "closed" });
  assert.equal((await receiverFailed).error.code, "closed");
});

test("sizes read as people say them", () => {
  assert.equal(formatBytes(512), "512 bytes");
  assert.equal(formatBytes(5 * 1024 * 1024), "5.2 MB");
  assert.equal(formatBytes(52_428_800), "52 MB");
});
