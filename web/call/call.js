/**
 * call.js — one page's side of the call: the signalling, the peer connection to the other page (made again when
 * the other page reloads or reconnects), the local camera and shared screen sent on it, and its two data
 * channels. Both pages use it; the interviewee is the polite peer.
 *
 *   const call = new Call({ signalling, polite: true, camera: stream });
 *   call.addEventListener("track", (e) => show(e.detail));           // {stream, track, label: camera | screen}
 *   call.addEventListener("proctor", (e) => handle(e.detail));       // each `proctor`-channel message
 *   call.addEventListener("link", (e) => bind(e.detail.transfers));  // a new connection: its FileTransfer
 *   await call.start();                                              // resolves with `joined`
 *   call.sendProctor({ type: "phase", label: "Question 2" });
 *
 * Other events: `peer` {present, role, reason}, `connection` {state}, `ended` {error} (from signalling).
 */

import { PeerLink } from "./peer-connection.js";
import { openChannels } from "./channels.js";
import { FileTransfer } from "./file-transfer.js";

export class Call extends EventTarget {
  #signalling;
  #polite;
  #iceServers = [];
  #streams = new Map(); // label → MediaStream we send
  #link = null;
  #proctor = null;
  #retired = new Set(); // link ids of the other page's connections we closed: their late signals are dropped
  #signals = Promise.resolve();
  #waiting = []; // proctor messages sent while no connection existed, sent on the next one
  #maxWaiting = 5000;
  #maxFileBytes;
  transfers = null;
  joined = null;

  /**
   * @param {object} options
   * @param {import("./signalling.js").Signalling} options.signalling
   * @param {boolean} options.polite true on the interviewee's page
   * @param {MediaStream} [options.camera] the local camera and microphone
   * @param {number} [options.maxFileBytes] the file-sharing limit when `joined` names none
   */
  constructor({ signalling, polite, camera, maxFileBytes }) {
    super();
    // Negotiation problems a person cannot act on: kept for the console and for tests to read.
    this.addEventListener("warning", (e) => {
      console.warn("call:", e.detail.error);
      document.body.dataset.warning = String(e.detail.error?.message ?? e.detail.error);
    });
    this.#signalling = signalling;
    this.#polite = polite;
    this.#maxFileBytes = maxFileBytes;
    if (camera) this.#streams.set("camera", camera);
    signalling.addEventListener("joined", (e) => this.#onJoined(e.detail));
    // The page that joins second makes the connection and offers; the one already there answers with a link
    // made for that offer. Both offering at once ("glare") is what perfect negotiation resolves, but Chromium
    // then fails to start the polite side's data channels (SCTP) after its rollback: avoid it at the start.
    signalling.addEventListener("peer-joined", (e) => this.#emit("peer", { present: true, role: e.detail.role }));
    signalling.addEventListener("peer-left", (e) => {
      this.#closeLink();
      this.#emit("peer", { present: false, role: e.detail.role, reason: e.detail.reason });
    });
    signalling.addEventListener("signal", (e) => {
      // In order: a description must be set before its candidates are added.
      this.#signals = this.#signals.then(() => this.#onSignal(e.detail.data)).catch((error) => this.#emit("warning", { error }));
    });
    signalling.addEventListener("ended", (e) => {
      this.#closeLink();
      this.#emit("ended", e.detail);
    });
  }

  /** Joins the room; resolves with the server's `joined`, rejects with a CallError in plain words. */
  start() {
    return this.#signalling.connect();
  }

  get connectionState() { return this.#link?.pc.connectionState ?? "new"; }

  /** The peer connection of the moment (tests and diagnostics read its stats). */
  get peerConnection() { return this.#link?.pc ?? null; }

  /**
   * Sends a `proctor`-channel message, or keeps it until the channel is open: while the other page is away or
   * the connection is being made again, the newest 5,000 wait (older ones are dropped: the dashboard sees their
   * seqs missing). A channel that is closing takes nothing, so nothing is handed to a connection about to go.
   */
  sendProctor(message) {
    if (this.#proctor?.isOpen) {
      this.#proctor.send(message);
      return;
    }
    this.#waiting.push(message);
    if (this.#waiting.length > this.#maxWaiting) this.#waiting.shift();
  }

  /** Sends the shared screen to the other page, now and on every later connection. */
  shareScreen(stream) {
    this.#streams.set("screen", stream);
    this.#link?.addStream(stream, "screen");
  }

  stopScreen() {
    const stream = this.#streams.get("screen");
    if (!stream) return;
    this.#streams.delete("screen");
    this.#link?.removeStream(stream);
  }

  /** Swaps the camera's or microphone's track in the running call. */
  replaceTrack(kind, track) {
    return this.#link?.replaceTrack(kind, track);
  }

  leave() {
    this.#closeLink();
    this.#signalling.close();
  }

  #onJoined(joined) {
    this.joined = joined;
    this.#iceServers = joined.iceServers ?? [];
    const other = (joined.peers ?? []).length > 0;
    this.#emit("peer", { present: other, role: joined.peers?.[0] });
    const state = this.#link?.pc.connectionState;
    if (other && (!this.#link || state === "failed" || state === "closed")) this.#newLink();
  }

  async #onSignal(data) {
    if (!data || (data.link && this.#retired.has(data.link))) return;
    if (!this.#link) this.#newLink();
    if (await this.#link.handleSignal(data)) return;
    // The other page started a new connection (it reloaded): follow it.
    this.#newLink();
    await this.#link.handleSignal(data);
  }

  #newLink() {
    this.#closeLink();
    const link = new PeerLink({ signalling: this.#signalling, polite: this.#polite, iceServers: this.#iceServers });
    for (const [label, stream] of this.#streams) link.addStream(stream, label);
    const { proctor, files } = openChannels(link.pc);
    proctor.addEventListener("message", (e) => this.#emit("proctor", e.detail));
    proctor.addEventListener("open", () => {
      if (this.#proctor === proctor) for (const message of this.#waiting.splice(0)) proctor.send(message);
      this.#emit("channel", { open: true });
    });
    proctor.addEventListener("close", () => this.#emit("channel", { open: false }));
    link.addEventListener("track", (e) => this.#emit("track", e.detail));
    link.addEventListener("error", (e) => this.#emit("warning", e.detail));
    link.addEventListener("state", (e) => {
      document.body.dataset.connection = e.detail.state; // for styles, and for tests to read
      this.#emit("connection", e.detail);
    });
    this.#link = link;
    this.#proctor = proctor;
    this.transfers = new FileTransfer(files, { maxBytes: this.joined?.files?.maxBytes ?? this.#maxFileBytes });
    this.#emit("link", { link, transfers: this.transfers });
  }

  #closeLink() {
    if (!this.#link) return;
    if (this.#link.remoteLink) this.#retired.add(this.#link.remoteLink);
    this.#link.close();
    this.#link = null;
    this.#proctor = null;
    this.transfers = null;
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
