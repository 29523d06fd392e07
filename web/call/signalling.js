/**
 * signalling.js — the page's WebSocket to the call server's `/api/signal` (docs/call.md, "Signalling").
 *
 *   const signalling = new Signalling({ code, secret, role: "interviewee" });
 *   signalling.addEventListener("peer-joined", (e) => ...);   // also: joined, peer-left, signal, state, ended
 *   const joined = await signalling.connect();                // {role, room, iceServers, peers}
 *   signalling.signal({ description });                       // relayed to the other peer
 *
 * The page's `peerId` lives in sessionStorage, so a reload is the same peer and replaces its own stale
 * connection instead of being refused as a third one. A connection that drops for a reason the server did not
 * give is opened again with exponential backoff and jitter, and joins again. A refusal (a close code of
 * docs/call.md's table) ends it: `connect()` rejects, or `ended` fires, with a CallError in plain words; a
 * later `connect()` tries again.
 *
 * `close()` is for good: the page left the room (the pages then say to reload to join again). A `connect()`
 * still joining is rejected, and any `connect()` after it rejects at once, both with the CallError `left`;
 * to join again, make a new Signalling.
 *
 * Events (CustomEvent, read `detail`): `joined` (each join, reconnects included), `peer-joined` {role},
 * `peer-left` {role, reason}, `signal` {from, data}, `state` {state: connecting | connected | reconnecting |
 * ended, error}, `ended` {error}: the call server ended this page's part in the call.
 */

import { callError, FINAL_CLOSE_CODES } from "./call-errors.js";

const PEER_ID_KEY = "proctord-call.peerId";
const STABLE_MS = 10_000; // a connection that lived this long resets the backoff

export class Signalling extends EventTarget {
  #options;
  #socket = null;
  #attempt = 0;
  #timer = null;
  #closedByPage = false;
  #left = false; // close() was called: this Signalling does not join again
  #pending = null; // {resolve, reject} of the first connect()
  #joinedAt = 0;
  #serverError = null; // the `error` message the server sent before closing
  state = "idle";

  /**
   * @param {object} options
   * @param {string} options.code the room code (as typed: case and dashes do not matter)
   * @param {string} [options.secret] the interviewer secret
   * @param {string} [options.role] the role the code is for (named in refusals)
   * @param {string} [options.url] default: ws(s)://<this host>/api/signal
   * @param {Storage|null} [options.storage] where the peerId is kept (default sessionStorage)
   * @param {(url: string) => WebSocket} [options.createSocket] for tests
   * @param {{initialDelayMs: number, maxDelayMs: number}} [options.backoff]
   */
  constructor({ code, secret, role, url, storage = globalThis.sessionStorage ?? null, createSocket, backoff } = {}) {
    super();
    this.#options = {
      code, secret, role, storage,
      url: url ?? `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/signal`,
      createSocket: createSocket ?? ((address) => new WebSocket(address)),
      backoff: { initialDelayMs: 500, maxDelayMs: 10_000, ...backoff },
    };
    this.peerId = loadPeerId(storage);
  }

  /** Opens the socket and joins; resolves with the server's `joined` message. */
  connect() {
    if (this.#left) return Promise.reject(callError("left"));
    if (this.#pending) return this.#pending.promise;
    let resolve, reject;
    const promise = new Promise((ok, fail) => { resolve = ok; reject = fail; });
    this.#pending = { promise, resolve, reject };
    this.#closedByPage = false;
    this.#open();
    return promise;
  }

  /** Relays `data` ({description} or {candidate}, plus what the pages agree on) to the other peer. */
  signal(data) {
    if (this.#socket?.readyState !== 1) return false;
    this.#socket.send(JSON.stringify({ type: "signal", data }));
    return true;
  }

  /** Leaves the room for good: the other peer is told `peer-left`; see the header on connect() after it. */
  close() {
    this.#left = true;
    this.#closedByPage = true;
    clearTimeout(this.#timer);
    this.#socket?.close(1000, "left");
    this.#setState("ended");
    this.#pending?.reject(callError("left")); // no effect once joined: it resolved then
    this.#pending = null;
  }

  #open() {
    this.#serverError = null;
    if (this.#attempt === 0) this.#setState("connecting");
    const socket = this.#options.createSocket(this.#options.url);
    this.#socket = socket;
    socket.onopen = () => {
      const join = { type: "join", code: this.#options.code, peerId: this.peerId };
      if (this.#options.secret) join.secret = this.#options.secret;
      socket.send(JSON.stringify(join));
    };
    socket.onmessage = (event) => {
      if (socket !== this.#socket || typeof event.data !== "string") return;
      let message;
      try { message = JSON.parse(event.data); } catch { return; }
      this.#handle(message);
    };
    socket.onclose = (event) => { if (socket === this.#socket) this.#closed(event); };
    socket.onerror = () => {}; // onclose follows and says more
  }

  #handle(message) {
    switch (message.type) {
      case "joined":
        this.#joinedAt = Date.now();
        this.#setState("connected");
        this.#emit("joined", message);
        this.#pending?.resolve(message);
        break;
      case "peer-joined": case "peer-left": case "signal":
        this.#emit(message.type, message);
        break;
      case "error":
        // no_peer keeps the connection: the other side simply is not there yet.
        if (message.code !== "no_peer") this.#serverError = message;
        break;
      case "expired": case "closed":
        this.#serverError = { code: message.type };
        break;
    }
  }

  #closed(event) {
    this.#socket = null;
    if (this.#closedByPage) return;
    const finalCode = FINAL_CLOSE_CODES.get(event.code);
    if (finalCode || this.#serverError) {
      const code = this.#serverError?.code ?? finalCode;
      const error = callError(code, this.#serverError?.message ?? event.reason,
        { role: this.#options.role, closeCode: event.code, retryAfterMs: this.#serverError?.retryAfterMs });
      this.#end(error);
      return;
    }
    if (this.#joinedAt && Date.now() - this.#joinedAt >= STABLE_MS) this.#attempt = 0;
    this.#joinedAt = 0;
    this.#attempt += 1;
    const { initialDelayMs, maxDelayMs } = this.#options.backoff;
    const ceiling = Math.min(maxDelayMs, initialDelayMs * 2 ** (this.#attempt - 1));
    const delay = ceiling / 2 + Math.random() * ceiling / 2;
    this.#setState("reconnecting", this.#attempt > 1 ? callError("unreachable") : null);
    this.#timer = setTimeout(() => this.#open(), delay);
  }

  #end(error) {
    this.#closedByPage = true;
    this.#setState("ended", error);
    this.#emit("ended", { error });
    this.#pending?.reject(error);
    this.#pending = null; // a later connect() tries again
  }

  #setState(state, error = null) {
    this.state = state;
    this.#emit("state", { state, error });
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}

function loadPeerId(storage) {
  const kept = storage?.getItem(PEER_ID_KEY);
  if (kept) return kept;
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  const id = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  storage?.setItem(PEER_ID_KEY, id);
  return id;
}
