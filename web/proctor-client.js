/**
 * proctor-client.js — the call page's link to proctord, the proctoring agent on the interviewee's machine.
 *
 * An ES module with no dependencies and no build step (Chrome 120+, Firefox 120+). It speaks protocol 1 of
 * proctord's local WebSocket API (docs/protocol.md): pairing, reconnection with the session token, replay of
 * missed events, subscriptions, requests and heartbeats.
 *
 * Usage:
 *
 *   import { ProctorClient } from "./proctor-client.js";
 *   const client = new ProctorClient({
 *     topics: ["gaze.*", "alert", "plugin.state"], clientName: "Acme Interviews", clientVersion: "2.3.0",
 *     askPairingCode: async ({ digits, error }) => showCodeDialog(digits, error?.message),
 *   });
 *   client.addEventListener("event:alert", (e) => showAlert(e.detail.data));
 *   client.addEventListener("gap", (e) => note(`lost ${e.detail.missed ?? "some"} events`));
 *   client.addEventListener("state", (e) => showStatus(e.detail.state, e.detail.error?.message));
 *   try { await client.connect(); } catch (error) { explain(error.code, error.message); }
 *   const plugins = await client.request("host", "plugins.list");
 *
 * new ProctorClient(options)
 *   url            "ws://127.0.0.1:47615/v1" (the agent's `api.port`; 127.0.0.1 avoids name lookups)
 *   topics         topic patterns to subscribe to: "*", "gaze.*" (everything under gaze.), or "alert"
 *   clientName, clientVersion   shown to the interviewee on the agent's own page
 *   askPairingCode async ({digits, origin, error}) => string. Called when the page holds no usable token:
 *                  ask the person for the code the agent shows (terminal, http://127.0.0.1:47615/, desktop
 *                  notification). `error` is why it is asked again (a wrong code, a code of the wrong
 *                  length). Throw to give up: connect() then rejects with "pairing_cancelled".
 *   storage        where the token, its expiry, the agent session and the last seq are kept
 *                  (default localStorage, keys start with "proctord."; pass null to keep nothing)
 *   reconnect      {initialDelayMs: 500, maxDelayMs: 30000}: exponential backoff with jitter
 *   markWindow     true (default): once identified, ask the agent's screen plugin for its window marker and
 *                  keep it in document.title, so the agent can find this window to keep it full screen
 *                  (quietly skipped when the agent runs no screen plugin)
 *   pageSignals    true (default): once identified, tell the agent the page's visibility, focus, full screen
 *                  and screen-share track state as they change (page.* topics, docs/protocol.md "Page
 *                  signals"): what the browser knows, the agent's only view on a desktop that hides
 *                  other windows
 *   origin, createSocket   for tests outside a browser only (the page's origin; (url) => WebSocket)
 *
 * Methods (all promises reject with ProctorClientError)
 *   connect()      resolves with the agent's `identified` data once paired (asks for the code if needed).
 *                  Calling it again while connecting or connected returns the same promise.
 *   subscribe(topics)   replaces the subscription (kept for reconnects); resolves with the subscribed list
 *   request(target, method, params = {}, {timeoutMs = 12000})   resolves with the answer's `result`;
 *                  rejects with the agent's error code (not_running, unknown_method, ...), "timeout",
 *                  "closed" (the connection dropped first) or "not_connected"
 *   endSession()   ends the session on the agent (its token is revoked) and forgets it here; once it has
 *                  resolved (or close() was called meanwhile) no timer of the client is pending
 *   close()        disconnects without ending the session: the token stays for a later connect(). It takes off
 *                  everything the client put on the page (listeners, the window marker, keepFullScreen, the
 *                  share report): a page that connects again calls keepFullScreen and reportScreenShare again
 *                  (the marker and the page signals come back by themselves)
 *   forgetPairing()  drops the stored token, so the next connect() asks for a code
 *   markWindow()   puts the screen plugin's marker into document.title and keeps it there until close()
 *                  or endSession() (see the option; the client renews it when the agent restarts)
 *   reportScreenShare(streamOrTrack)   tells the agent what getDisplayMedia() shares (a whole monitor, a
 *                  window or a tab) and when the share stops; returns a function that stops reporting. One
 *                  share at a time: calling it again (a new share) replaces the earlier report
 *   keepFullScreen({element, overlay, message, keyboardLock})   keeps the page in the browser's own full screen (asked on
 *                  the next click or key press; an overlay asks to return after it was left) and tells the
 *                  agent which kind of full screen holds; returns a function that stops it
 *   Properties: state, session, agentSession, lastSeq, tokenExpiresAt (Date), agent ({name, version}), topics
 *
 * Events (all CustomEvent; read `event.detail`)
 *   event          every event: {topic, seq, ts, plugin, data}
 *   event:<topic>  the same, per topic, e.g. "event:gaze.sample"
 *   state          {state, reason, error}: connecting, pairing, identified, reconnecting, closed
 *   identified     the agent's identified data (each time, reconnects included); resume says what was replayed
 *   gap            events were lost: {reason, missed, afterSeq, nextSeq}. reason is "seq_jump" (seen only with
 *                  the "*" subscription, because seq counts every topic), "replay_gap" (the agent no longer
 *                  held them) or "agent_restarted" (missed is null: unknown)
 *   dropped        the agent thinned high-rate topics for this slow page: {count, total, topics}
 *   heartbeat      {last_seq, ts}: the agent is alive; last_seq is the newest seq it published
 *   error          a ProctorClientError that no promise could carry (a refused reconnect, an agent `error`)
 *
 * Error codes (ProctorClientError.code)
 *   auth_failed (wrong code; error.triesLeft), pairing_locked (error.lockedForSeconds), token_expired,
 *   session_revoked (the interviewee revoked this page), session_ended, unsupported_protocol,
 *   pairing_cancelled, pairing_required (no token and no askPairingCode), local_network_access_denied,
 *   agent_unreachable, agent_refused (the agent answered but refused this page: origin not allowed),
 *   timeout, closed, not_connected, protocol_error, and request errors as the agent names them.
 *   The client reconnects by itself after an unexpected close, never after auth_failed, pairing_locked,
 *   unsupported_protocol, session_revoked or local_network_access_denied: those need the page's decision
 *   (call connect() again).
 *
 * Chrome's "local network access" prompt — read this before shipping a call page
 *   Since Chrome 142 a public page must get the user's permission before it reaches this computer's own
 *   services (loopback) or the local network; Chromium extends the same gate to WebSockets (Chrome 147). The
 *   browser shows a permission prompt by the address bar asking whether the site may connect to devices
 *   and apps on the local network; the permission is named "local-network-access", split since Chrome 145
 *   into "loopback-network" and "local-network". Only secure (https) pages may ask for it: an http page's
 *   connection is refused silently. `ws://127.0.0.1` from an https page is not mixed content, because
 *   browsers treat loopback as potentially trustworthy; no certificate is needed. Firefox shows no prompt.
 *   What the page must do:
 *   - Explain first, then connect: say in plain words that the browser will ask to connect to "apps on
 *     this device", that this is the proctoring agent the interviewee installed, and that nothing else on
 *     their network is touched. Call connect() from the button under that explanation.
 *   - Handle a refusal: the socket fails before any HTTP exchange and the client rejects with
 *     "local_network_access_denied". Tell the person how to allow it again (the site-settings icon left of
 *     the address, "Local network access", Allow) and to reload.
 *   - In an iframe, the parent must delegate the permission: allow="local-network-access; loopback-network".
 *   - The page's CSP connect-src must allow ws://127.0.0.1:PORT (and http://127.0.0.1:PORT for the check
 *     below). Managed browsers can pre-allow a site with the LocalNetworkAccessAllowedForUrls policy.
 *   How the client tells a refusal from an agent that is not running (a browser hides why a socket failed,
 *   so this is a heuristic): it asks navigator.permissions for "loopback-network", then
 *   "local-network-access". "denied": local_network_access_denied. "granted" or no such permission (another
 *   browser, a page on loopback itself): it fetches http://127.0.0.1:PORT/healthz in no-cors mode; an answer
 *   means the agent runs and refused this page (agent_refused, most often an origin missing from
 *   api.allowed_origins), no answer means agent_unreachable. "prompt" (the question was not answered yes):
 *   a failure within 250 ms means no prompt was shown: the agent is not listening, or refused the page
 *   (both reported as agent_unreachable); a slower one means the person dismissed the prompt
 *   (local_network_access_denied). The client never probes while the permission is undecided, so it never
 *   causes a second prompt. A busy machine can make a quick failure slow: treat the codes as likely, not sure.
 */

const PROTOCOL_VERSION = 1;
const DEFAULT_URL = "ws://127.0.0.1:47615/v1";
const STORAGE_PREFIX = "proctord.";
const HANDSHAKE_TIMEOUT_MS = 10_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 12_000; // the agent gives up at 10 s; leave it room to say so
const SILENT_INTERVALS = 3;
const GAP_SETTLE_MS = 1_000; // a `dropped` notice follows the thinned batch; wait for it before crying gap
const QUICK_FAILURE_MS = 250;
const TOKEN_MARGIN_MS = 30_000;
const STABLE_CONNECTION_MS = 10_000; // a connection that lasted this long resets the reconnect backoff
const RETURN_TO_INTERVIEW = "You left full screen. Click anywhere or press a key to return to the interview.";
/** Reports to the screen plugin that need no one's attention: sent again once identified, or no plugin (or an
 * older one) to tell. */
const QUIET_SCREEN_ERRORS = new Set(["not_connected", "closed", "unknown_target", "not_running", "unknown_method"]);

/** Codes after which the client does not reconnect by itself. */
const FINAL_CODES = new Set([
  "auth_failed", "pairing_locked", "unsupported_protocol", "session_revoked", "session_ended",
  "local_network_access_denied", "agent_refused", "pairing_cancelled", "pairing_required", "closed",
  "invalid_url",
]);

export class ProctorClientError extends Error {
  /**
   * @param {string} code machine-readable reason, see the list at the top of this file
   * @param {string} message for people
   * @param {object} [details] extra fields: closeCode, closeReason, triesLeft, lockedForSeconds, agentError
   */
  constructor(code, message, details = {}) {
    super(message);
    this.name = "ProctorClientError";
    this.code = code;
    Object.assign(this, details);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Pairing proof

/**
 * The proof that the page knows the pairing code: lowercase hex HMAC-SHA256, keyed by the code, over
 * "proctord/1 pair\n" + challenge + "\n" + origin (docs/protocol.md, "The pairing proof").
 */
export async function pairingProof(code, challenge, origin) {
  const utf8 = new TextEncoder();
  const key = await crypto.subtle.importKey("raw", utf8.encode(code), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const message = utf8.encode(`proctord/1 pair\n${challenge}\n${origin}`);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, message));
  return Array.from(mac, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Digits only: people type "123 456" or "123-456" as they read it. */
function normalizeCode(typed) {
  return String(typed ?? "").replace(/[\s-]/g, "");
}

// ---------------------------------------------------------------------------------------------------------
// Closes and failures, as errors

function errorForClose({ code, reason }) {
  const said = reason ? `: ${reason}` : "";
  const details = { closeCode: code, closeReason: reason };
  switch (code) {
    case 1000: return new ProctorClientError("session_ended", `the session ended${said}`, details);
    case 1001: return new ProctorClientError("agent_stopping", `the agent is shutting down${said}`, details);
    case 4003: return new ProctorClientError("auth_failed", `the agent refused the pairing${said}`,
      { ...details, triesLeft: numberIn(reason, /(\d+)\s+tr(?:y|ies)\s+left/) });
    case 4004: return new ProctorClientError("token_expired", `the session token expired or was revoked${said}`, details);
    case 4005: return new ProctorClientError("unsupported_protocol", `the agent does not speak protocol ${PROTOCOL_VERSION}${said}`, details);
    case 4006: return new ProctorClientError("identify_timeout", `the agent waited too long for identify${said}`, details);
    case 4007: return new ProctorClientError("too_slow", `this page did not keep up with the events${said}`, details);
    case 4008: return new ProctorClientError("pairing_locked", `pairing is locked after too many wrong codes${said}`,
      { ...details, lockedForSeconds: numberIn(reason, /(\d+)\s*s\b/) });
    case 4009: return new ProctorClientError("session_revoked", `the interviewee revoked this page's session${said}`, details);
    case 1009: case 4001: case 4002:
      return new ProctorClientError("protocol_error", `the agent closed the connection (${code})${said}`, details);
    default: return new ProctorClientError("connection_lost", `the connection to the agent was lost (${code})${said}`, details);
  }
}

function numberIn(text, pattern) {
  const match = pattern.exec(text ?? "");
  return match ? Number(match[1]) : undefined;
}

/** The permission that gates loopback in Chrome, or "unsupported" where the browser has none. */
async function localNetworkPermission() {
  if (!globalThis.navigator?.permissions?.query) return "unsupported";
  for (const name of ["loopback-network", "local-network-access"]) {
    try {
      return (await navigator.permissions.query({ name })).state;
    } catch {
      // This browser does not know the name; try the next one.
    }
  }
  return "unsupported";
}

/** Whether the agent answers plain HTTP: an opaque no-cors answer still proves it is listening. */
async function agentAnswersHTTP(socketURL) {
  const health = new URL("/healthz", socketURL.replace(/^ws/, "http"));
  try {
    await fetch(health, { mode: "no-cors", cache: "no-store", signal: AbortSignal.timeout(3_000) });
    return true;
  } catch {
    return false;
  }
}

/** A page on loopback itself is in the agent's address space: no permission is involved. */
function isLoopbackOrigin(origin) {
  try {
    return ["127.0.0.1", "localhost", "[::1]"].includes(new URL(origin).hostname);
  } catch {
    return false;
  }
}

/**
 * Why a socket failed before the agent said hello. See "How the client tells a refusal..." above.
 * @param {string} url the agent's WebSocket URL
 * @param {string} pageOrigin the page's origin
 * @param {number} failedAfterMs how long the attempt took
 */
async function diagnoseEarlyFailure(url, pageOrigin, failedAfterMs) {
  const permission = await localNetworkPermission();
  // Undecided: the browser may have asked during this attempt, so a probe could ask again. Never on loopback pages.
  const undecided = permission === "prompt" && !isLoopbackOrigin(pageOrigin);
  if (permission === "denied" || (undecided && failedAfterMs >= QUICK_FAILURE_MS)) {
    return new ProctorClientError("local_network_access_denied",
      "the browser did not allow this page to reach the proctoring agent on this computer " +
      "(the \"local network access\" permission); allow it in the site settings and reload",
      { permission });
  }
  if (!undecided && await agentAnswersHTTP(url)) {
    return new ProctorClientError("agent_refused",
      "the proctoring agent is running but refused this page (is its origin in api.allowed_origins?)",
      { permission });
  }
  return new ProctorClientError("agent_unreachable",
    `the proctoring agent does not answer at ${url}: is proctord running?`, { permission });
}

// ---------------------------------------------------------------------------------------------------------
// Storage

function defaultStorage() {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null; // sandboxed frames throw on access
  }
}

/** One agent URL's remembered session: token, expiry, session ids and the last seq seen. */
class SessionMemory {
  #storage;
  #key;
  #record;

  constructor(storage, url) {
    this.#storage = storage;
    this.#key = `${STORAGE_PREFIX}session.${url}`;
    this.#record = this.#read();
  }

  get record() { return this.#record; }

  update(changes) {
    Object.assign(this.#record, changes);
    this.#write();
  }

  /** Changes kept in memory now and written with the next write (for the seq, which moves often). */
  updateQuietly(changes) { Object.assign(this.#record, changes); }

  flush() { this.#write(); }

  /** A session that ended takes its place in the event stream with it: a new pairing starts afresh. */
  forgetToken() {
    delete this.#record.token;
    delete this.#record.tokenExpiresAt;
    delete this.#record.session;
    delete this.#record.agentSession;
    delete this.#record.lastSeq;
    this.#write();
  }

  forgetAll() {
    this.#record = {};
    try { this.#storage?.removeItem(this.#key); } catch { /* storage unavailable: nothing kept anyway */ }
  }

  #read() {
    try {
      return JSON.parse(this.#storage?.getItem(this.#key) ?? "{}") ?? {};
    } catch {
      return {};
    }
  }

  #write() {
    try { this.#storage?.setItem(this.#key, JSON.stringify(this.#record)); } catch { /* full or disabled */ }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Seq tracking

/**
 * Watches seqs for loss. seq counts every topic the agent publishes, so a jump means loss only when the
 * page subscribes to "*"; jumps the agent explains with `dropped` (thinning) are not loss.
 */
class SeqTracker {
  agentSession = null;
  lastSeq = null;
  contiguous = false;
  #unexplained = null; // {missed, afterSeq, nextSeq}
  #credit = 0; // drops the agent announced before their hole reached us

  restart(agentSession, lastSeq) {
    this.agentSession = agentSession;
    this.lastSeq = lastSeq;
    this.#unexplained = null;
    this.#credit = 0;
  }

  /** Returns true when this seq opened an unexplained jump. */
  observe(seq) {
    const previous = this.lastSeq;
    if (previous !== null && seq <= previous) return false; // never move backwards
    this.lastSeq = seq;
    if (!this.contiguous || previous === null || seq === previous + 1) return false;
    const announced = Math.min(seq - previous - 1, this.#credit);
    this.#credit -= announced;
    const missed = seq - previous - 1 - announced;
    if (missed === 0) return false;
    if (this.#unexplained) {
      this.#unexplained.missed += missed;
      this.#unexplained.nextSeq = seq;
    } else {
      this.#unexplained = { missed, afterSeq: previous, nextSeq: seq };
    }
    return true;
  }

  /** The agent counts drops after writing a batch, so a notice may cover holes that have not reached us yet. */
  explainDropped(count) {
    if (this.#unexplained) {
      const explained = Math.min(count, this.#unexplained.missed);
      this.#unexplained.missed -= explained;
      count -= explained;
      if (this.#unexplained.missed <= 0) this.#unexplained = null;
    }
    this.#credit += count;
  }

  /** The loss still unexplained, cleared once taken. */
  takeUnexplained() {
    const loss = this.#unexplained;
    this.#unexplained = null;
    return loss;
  }
}

// ---------------------------------------------------------------------------------------------------------
// One socket

/**
 * One WebSocket to the agent. During the handshake its messages are awaited one by one (`next`); after
 * that they go to the handler given to `attach`, in order, none lost in between.
 */
class AgentLink {
  #socket;
  #buffer = [];
  #handler = null;
  #waiter = null;
  #resolveClosed;
  #helloDeadline = null;
  #errorGrace = null; // the wait for the close that follows an error
  #failedAt = null;
  startedAt = performance.now();
  sawMessage = false;
  lastMessageAt = performance.now();
  closeInfo = null;

  constructor(url, createSocket) {
    this.closed = new Promise((resolve) => { this.#resolveClosed = resolve; });
    this.#socket = createSocket(url);
    // Before `open` the browser may be showing its permission prompt; once open, hello is immediate.
    this.#socket.onopen = () => {
      if (this.isClosed) return; // an open after the link ended would start a timer nothing clears
      this.#helloDeadline = setTimeout(() => this.abandon({ code: 4000, reason: "no hello after the socket opened", silent: true }), HANDSHAKE_TIMEOUT_MS);
    };
    this.#socket.onmessage = (message) => this.#receive(message.data);
    this.#socket.onclose = (event) => this.#ended({ code: event.code, reason: event.reason, wasClean: event.wasClean });
    // Browsers follow an error with close 1006; some runtimes (Node 20's undici) fire only the error.
    this.#socket.onerror = () => {
      this.#failedAt ??= performance.now();
      this.#errorGrace ??= setTimeout(() => this.#ended({ code: 1006, reason: "", wasClean: false }), 1_000);
    };
  }

  get isClosed() { return this.closeInfo !== null; }

  send(message) {
    if (!this.isClosed && this.#socket.readyState === 1) this.#socket.send(JSON.stringify(message));
  }

  /** The next message, which must have `op`; rejects on close, timeout (null: none) or another op. */
  next(op, timeoutMs = HANDSHAKE_TIMEOUT_MS) {
    if (this.isClosed) return Promise.reject(this.closeInfo);
    return new Promise((resolve, reject) => {
      const timer = timeoutMs === null ? null : setTimeout(() => {
        this.#waiter = null;
        reject({ code: 4000, reason: `no ${op} within ${timeoutMs} ms`, silent: true });
      }, timeoutMs);
      this.#waiter = (message, closeInfo) => {
        clearTimeout(timer);
        this.#waiter = null;
        if (closeInfo) reject(closeInfo);
        else if (message.op === op) resolve(message.d ?? {});
        else reject({ code: 4000, reason: `expected ${op}, got ${message.op}: ${JSON.stringify(message.d ?? {})}`, unexpected: true });
      };
    });
  }

  /** From now on every message goes to `handler`, starting with any that arrived meanwhile. */
  attach(handler) {
    this.#handler = handler;
    for (const message of this.#buffer.splice(0)) handler(message);
  }

  /** Stop listening and close; `closed` resolves at once with `info`. */
  abandon(info = { code: 1000, reason: "closed by the page" }) {
    if (this.isClosed) return;
    this.#socket.onmessage = null;
    this.#socket.onclose = null;
    this.#socket.onerror = null;
    try { this.#socket.close(1000, info.reason?.slice(0, 100)); } catch { /* already closing */ }
    this.#ended({ ...info, abandoned: true });
  }

  #receive(text) {
    clearTimeout(this.#helloDeadline);
    this.sawMessage = true;
    this.lastMessageAt = performance.now();
    let message;
    try {
      message = JSON.parse(text);
    } catch {
      message = { op: "error", d: { code: "malformed_json", message: "the agent sent something that is not JSON" } };
    }
    if (this.#waiter) this.#waiter(message, null);
    else if (this.#handler) this.#handler(message);
    else this.#buffer.push(message);
  }

  #ended(info) {
    if (this.isClosed) return;
    // Cleared here, not when they fire: a closed link (the page's close() included) leaves no timer behind.
    clearTimeout(this.#helloDeadline);
    clearTimeout(this.#errorGrace);
    const failedAt = this.#failedAt ?? performance.now();
    this.closeInfo = { ...info, sawMessage: this.sawMessage, afterMs: failedAt - this.startedAt };
    this.#waiter?.(null, this.closeInfo);
    this.#resolveClosed(this.closeInfo);
  }
}

// ---------------------------------------------------------------------------------------------------------
// The client

export class ProctorClient extends EventTarget {
  #url;
  #topics;
  #clientInfo;
  #askPairingCode;
  #origin;
  #createSocket;
  #backoff;
  #memory;
  #seq = new SeqTracker();

  #state = "idle";
  #link = null;
  #hello = null;
  #identified = null;
  #connecting = null; // the promise connect() hands out
  #run = 0; // bumped by close(): async work of an older run stops
  #ending = false;
  #lastError = null;
  #pending = new Map();
  #nextRequestId = 0;
  #heartbeatTimer = null;
  #gapTimer = null;
  #persistTimer = null;
  #reconnectTimer = null;
  #wakeReconnect = null;
  #identifiedAt = 0; // performance.now() at the last identify
  #reconnectAttempt = 0; // the attempt that last got through
  #markWindow;
  #pageWatch = null; // stops the page_state reports
  #stopKeeping = null; // stops keepFullScreen()
  #stopShareReport = null; // stops the one reportScreenShare() in force
  #flushOnPageHide = () => this.#memory.flush(); // the seq moves often: write it before the page goes
  #signals = null; // the page.* reports to the host (pageSignals option)
  #windowMarker = null;
  #markerAgentSession = null; // the marker names one run of the agent
  #titleObserver = null;

  constructor({
    url = DEFAULT_URL, topics = [], clientName, clientVersion, askPairingCode,
    storage = defaultStorage(), reconnect = {}, origin = globalThis.location?.origin,
    createSocket = (socketURL) => new WebSocket(socketURL), markWindow = true, pageSignals = true,
  } = {}) {
    super();
    this.#markWindow = markWindow;
    if (pageSignals && typeof document !== "undefined") {
      this.#signals = new PageSignalReporter(
        (topic, params) => this.request("host", topic, params),
        (error) => this.#dispatch("error", error));
    }
    this.#url = url;
    this.#topics = [...topics];
    this.#clientInfo = { ...(clientName && { name: clientName }), ...(clientVersion && { version: clientVersion }) };
    this.#askPairingCode = askPairingCode;
    this.#origin = origin;
    this.#createSocket = createSocket;
    this.#backoff = { initialDelayMs: 500, maxDelayMs: 30_000, ...reconnect };
    this.#memory = new SessionMemory(storage, url);
    this.#seq.contiguous = this.#topics.includes("*");
  }

  get state() { return this.#state; }
  get session() { return this.#identified?.session ?? this.#memory.record.session ?? null; }
  get agentSession() { return this.#seq.agentSession ?? this.#memory.record.agentSession ?? null; }
  get lastSeq() { return this.#seq.lastSeq ?? this.#memory.record.lastSeq ?? null; }
  get agent() { return this.#hello?.agent ?? null; }
  /** The topic patterns this page asks for (sent at each identify). */
  get topics() { return [...this.#topics]; }
  get tokenExpiresAt() {
    const at = this.#memory.record.tokenExpiresAt;
    return at ? new Date(at) : null;
  }

  // --- public methods ----------------------------------------------------------------------------------

  connect() {
    if (this.#state === "identified") return Promise.resolve(this.#identified);
    if (this.#connecting) return this.#connecting;
    const run = ++this.#run;
    this.#ending = false;
    // The same function each time: adding it again is a no-op, and close() removes it.
    globalThis.addEventListener?.("pagehide", this.#flushOnPageHide);
    this.#connecting = this.#establish(run).then(
      (identified) => { this.#connecting = null; return identified; },
      (error) => {
        this.#connecting = null;
        if (run === this.#run) this.#finish(error, { announce: false });
        throw error;
      });
    return this.#connecting;
  }

  /** Changes the topics; while identified, they take effect (and are kept for reconnects) once the agent accepts them. */
  async subscribe(topics) {
    const wanted = [...topics];
    // A new subscription starts a new run of seqs; while the change is on its way, jumps prove nothing.
    this.#seq.restart(this.#seq.agentSession, null);
    if (this.#state !== "identified") {
      this.#useTopics(wanted);
      return [...wanted];
    }
    this.#seq.contiguous = false;
    try {
      const answer = await this.#call({ op: "subscribe", d: { topics: wanted } }, DEFAULT_REQUEST_TIMEOUT_MS, "subscribe");
      this.#useTopics(wanted);
      return answer.subscribed;
    } catch (error) {
      this.#seq.contiguous = this.#topics.includes("*"); // refused: the old topics still hold
      throw error;
    }
  }

  #useTopics(topics) {
    this.#topics = topics;
    this.#seq.contiguous = topics.includes("*");
  }

  request(target, method, params = {}, { timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS } = {}) {
    return this.#call({ op: "request", d: { target, method, params } }, timeoutMs, `${target} ${method}`);
  }

  /** Puts the screen plugin's window marker into document.title and keeps it there through title changes. */
  async markWindow() {
    const agentSession = this.#hello?.agent_session ?? null;
    const { marker } = await this.request("screen", "window_marker");
    this.#dropMarker(); // an agent that restarted gives a new marker: the old one goes (the page_state watch stays)
    this.#windowMarker = marker;
    this.#markerAgentSession = agentSession;
    const titled = () => {
      if (typeof document === "undefined" || document.title.includes(marker)) return;
      document.title = document.title ? `${document.title} ${marker}` : marker;
    };
    titled();
    this.#watchPage();
    if (typeof MutationObserver !== "undefined" && typeof document !== "undefined" && document.head) {
      // A page (or a framework) that sets its own title would drop the marker: put it back.
      this.#titleObserver = new MutationObserver(titled);
      this.#titleObserver.observe(document.head, { subtree: true, childList: true, characterData: true });
    }
    return marker;
  }

  /** Takes the marker out of the title and stops putting it back: the agent no longer treats this window as the call page. */
  #unmarkWindow() {
    this.#pageWatch?.();
    this.#pageWatch = null;
    this.#dropMarker();
  }

  #dropMarker() {
    this.#titleObserver?.disconnect();
    this.#titleObserver = null;
    const marker = this.#windowMarker;
    this.#windowMarker = this.#markerAgentSession = null;
    if (marker && typeof document !== "undefined" && document.title.includes(marker)) {
      document.title = document.title.replace(` ${marker}`, "").replace(marker, "");
    }
  }

  /**
   * Reports a getDisplayMedia() share to the agent: its surface ("monitor", "window", "browser") now, that
   * it stopped when the track ends, and the same again after each reconnect (the agent publishes only
   * changes). One share is reported at a time: a second call (a new share, or the same one again) replaces
   * the first report, whose track is no longer watched. Returns a function that stops reporting (without
   * reporting a stop); close() and endSession() stop it too.
   */
  reportScreenShare(streamOrTrack) {
    const track = typeof streamOrTrack?.getVideoTracks === "function" ? streamOrTrack.getVideoTracks()[0] : streamOrTrack;
    if (!track) throw new ProctorClientError("invalid_track", "reportScreenShare needs a MediaStream or its video track");
    this.#stopShareReport?.();
    const stopSignal = this.#signals?.watchShare(track);
    const stopReporting = () => {
      stopSignal?.();
      clearInterval(watch);
      track.removeEventListener("ended", ended);
      this.removeEventListener("state", reidentified);
      if (this.#stopShareReport === stopReporting) this.#stopShareReport = null;
    };
    const report = () => {
      const active = track.readyState !== "ended";
      this.request("screen", "share_state", {
        active, display_surface: active ? track.getSettings?.().displaySurface ?? null : null,
      }).then(
        () => { if (!active) stopReporting(); }, // the stop has reached the agent: nothing more to say
        // Not connected: the report goes again once identified.
        (error) => { if (!["not_connected", "closed"].includes(error.code)) this.#dispatch("error", error); });
    };
    const reidentified = ({ detail }) => { if (detail.state === "identified") report(); };
    const ended = () => {
      clearInterval(watch);
      track.removeEventListener("ended", ended);
      this.#signals?.shareChanged(); // page.screen_share too: track.stop() gave its listeners no event
      report();
    };
    // "ended" fires when the browser or the user ends the share, not when the page calls track.stop()
    // itself: a once-a-second look at readyState catches that too.
    const watch = setInterval(() => { if (track.readyState === "ended") ended(); }, 1_000);
    track.addEventListener("ended", ended);
    this.addEventListener("state", reidentified);
    this.#stopShareReport = stopReporting;
    if (track.readyState === "ended") ended(); else report();
    return stopReporting;
  }

  /**
   * Keeps the page in the browser's own full screen (the Fullscreen API), where nothing of the browser shows:
   * a window manager's full screen, which the agent keeps, leaves the tabs, the address bar and infobars on
   * screen and usable. A browser grants it only during a user gesture, so it is asked on the person's next
   * click or key press (not Esc); after the page has held it and lost it, an overlay asks them to return to
   * the interview, and their next click or key press does. What holds (the page's own full screen, whether
   * the browser shows the page) goes to the agent's screen plugin (`page_state`, again after each reconnect),
   * which reports which kind of full screen the call page is in. Returns a function that stops asking and
   * removes the overlay (the reports go on while the window is marked); close() and endSession() stop it
   * too. Calling it again returns the same.
   *   element   what goes full screen (default: the whole document)
   *   overlay   true (default) shows the overlay; false leaves the prompt to the page (listen for
   *             "fullscreenchange" on document)
   *   message   the overlay's words
   *   keyboardLock  false (default); true asks the Keyboard Lock API (Chromium) to hold Esc and the system
   *             keys while in full screen, so Esc alone does not leave it (holding Esc does); the outcome
   *             goes to the agent in page.fullscreen's keyboard_lock
   */
  keepFullScreen({ element = null, overlay = true, message = RETURN_TO_INTERVIEW, keyboardLock = false } = {}) {
    if (typeof document === "undefined") throw new ProctorClientError("no_document", "keepFullScreen needs a page");
    if (this.#stopKeeping) return this.#stopKeeping; // already keeping it: one set of listeners, one overlay
    this.#watchPage();
    const target = element ?? document.documentElement;
    if (!document.fullscreenEnabled || typeof target.requestFullscreen !== "function") {
      // An iframe without allow="fullscreen", or a browser without the standard API: say so once.
      this.#dispatch("error", new ProctorClientError("full_screen_unavailable",
        "this page may not use the browser's full screen (an iframe needs allow=\"fullscreen\")"));
      return () => {};
    }
    const veil = overlay ? new ReturnOverlay(message) : null;
    let held = false; // the page has held full screen at least once: losing it shows the overlay
    const holds = () => document.fullscreenElement != null;
    // click and keydown are gestures for every pointer (pointerdown is one only for a mouse), and asking
    // on click leaves the press and release on the same layout.
    const ask = (event) => {
      if (holds() || (event.type === "keydown" && event.key === "Escape")) return;
      // Within the gesture's own handler, so the browser counts it as the person's request.
      target.requestFullscreen({ navigationUI: "hide" }).catch(() => {}); // refused: the next gesture asks again
    };
    const changed = () => {
      if (holds()) held = true;
      veil?.show(held && !holds());
      if (keyboardLock) this.#lockKeyboard(holds());
    };
    const stopListening = listenAll([
      [window, "click", ask, true], [window, "keydown", ask, true], [document, "fullscreenchange", changed]]);
    changed();
    const stop = () => {
      stopListening();
      veil?.remove();
      if (keyboardLock) globalThis.navigator?.keyboard?.unlock?.(); // no lock outlives the keeping
      // A stale stop (from before a close() and a new keepFullScreen) must not drop the new one's handle.
      if (this.#stopKeeping === stop) this.#stopKeeping = null;
    };
    this.#stopKeeping = stop;
    return stop;
  }

  /** Asks for the Keyboard Lock in full screen and tells the agent what came of it. */
  #lockKeyboard(full) {
    const keyboard = globalThis.navigator?.keyboard;
    if (!full) {
      keyboard?.unlock?.();
      this.#signals?.keyboardLock(keyboard?.lock ? "off" : "unsupported");
      return;
    }
    if (typeof keyboard?.lock !== "function") return this.#signals?.keyboardLock("unsupported");
    keyboard.lock().then(() => this.#signals?.keyboardLock("locked"), () => this.#signals?.keyboardLock("refused"));
  }

  /**
   * Tells the screen plugin, now, on every change and after each reconnect, whether the page holds the
   * browser's own full screen and whether the browser shows it: the agent reports which kind of full screen
   * holds, and puts right a window that is back on screen while its page stays hidden.
   */
  #watchPage() {
    if (this.#pageWatch || typeof document === "undefined") return;
    const report = () => {
      if (this.#state !== "identified") return; // sent once identified
      const state = { full_screen: document.fullscreenElement != null, visible: document.visibilityState === "visible" };
      this.request("screen", "page_state", state).catch(
        (error) => { if (!QUIET_SCREEN_ERRORS.has(error.code)) this.#dispatch("error", error); });
    };
    const reidentified = ({ detail }) => { if (detail.state === "identified") report(); };
    this.#pageWatch = listenAll([
      [document, "visibilitychange", report], [document, "fullscreenchange", report], [this, "state", reidentified]]);
    report();
  }

  /** Ends the session at the agent (which needs a live connection) and forgets it here; stops reconnecting. */
  async endSession() {
    if (this.#state !== "identified") {
      this.close();
      this.#memory.forgetAll();
      return;
    }
    this.#ending = true;
    const link = this.#link;
    try {
      await this.request("host", "session.end");
    } catch (error) {
      // The agent revokes the token, then closes: its close may overtake the answer.
      if (!["closed", "session_revoked", "session_ended"].includes(error.code)) {
        this.#ending = false;
        throw error;
      }
    }
    this.#memory.forgetAll();
    // close() meanwhile abandons the link, so link.closed ends this wait too.
    await closedWithin(link, 2_000);
    if (this.#link === link) this.#disconnect({ code: 1000, reason: "session ended" }, "session ended");
  }

  close() {
    this.#run++;
    this.#reconnectAttempt = 0;
    this.#memory.flush();
    const wasConnecting = this.#connecting;
    this.#connecting = null;
    this.#disconnect({ code: 1000, reason: "closed by the page" }, "closed by the page");
    wasConnecting?.catch(() => {}); // its rejection ("closed") is the caller's to see, not unhandled here
  }

  forgetPairing() { this.#memory.forgetToken(); }

  // --- handshake ---------------------------------------------------------------------------------------

  /** Opens sockets until the agent identifies this page, asking for the code when there is no token. */
  async #establish(run) {
    let code = null;
    let reason = null;
    if (this.#state !== "reconnecting") this.#setState("connecting");
    for (;;) {
      const link = await this.#open(run);
      const usesToken = this.#usableToken();
      if (!usesToken && code === null) {
        code = await this.#askCode(run, reason);
        if (link.isClosed) continue; // the person took longer than the agent waits: new socket, same code
      }
      try {
        const identified = await this.#identify(link, code);
        this.#checkRun(run, link);
        this.#adopt(link, identified);
        return identified;
      } catch (error) {
        link.abandon({ code: 1000, reason: "handshake failed" });
        this.#checkRun(run);
        if (error.code === "token_expired") {
          this.#memory.forgetToken();
          reason = error;
          continue;
        }
        if (error.code === "auth_failed" && usesToken) this.#memory.forgetToken(); // bound to another origin
        if (error.code === "identify_timeout" && code !== null) continue;
        throw error;
      }
    }
  }

  /** A socket that said hello, or the reason it could not. */
  async #open(run) {
    let link;
    try {
      link = new AgentLink(this.#url, this.#createSocket);
    } catch (cause) {
      throw new ProctorClientError("invalid_url", `cannot open a WebSocket to ${this.#url}: ${cause.message}`, { cause });
    }
    this.#link = link;
    try {
      this.#hello = await link.next("hello", null); // no limit: the socket may wait behind the permission prompt
    } catch (info) {
      link.abandon(info);
      this.#checkRun(run);
      throw info.sawMessage || info.silent ? this.#errorForLink(info) : await diagnoseEarlyFailure(this.#url, this.#origin, info.afterMs);
    }
    this.#checkRun(run, link);
    if (this.#hello.protocol !== PROTOCOL_VERSION) {
      link.abandon({ code: 1000, reason: "unsupported protocol" });
      throw new ProctorClientError("unsupported_protocol",
        `the agent speaks protocol ${this.#hello.protocol}; this client speaks ${PROTOCOL_VERSION}`);
    }
    return link;
  }

  async #identify(link, code) {
    const record = this.#memory.record;
    const auth = this.#usableToken()
      ? { token: record.token }
      : { pairing: await pairingProof(code, this.#hello.challenge, this.#origin) };
    const d = { protocol: PROTOCOL_VERSION, client: this.#clientInfo, auth, subscribe: this.#topics };
    if (record.agentSession && Number.isInteger(record.lastSeq)) {
      d.resume = { agent_session: record.agentSession, after_seq: record.lastSeq };
    }
    link.send({ op: "identify", d });
    try {
      return await link.next("identified");
    } catch (info) {
      throw this.#errorForLink(info);
    }
  }

  #usableToken() {
    const { token, tokenExpiresAt } = this.#memory.record;
    return Boolean(token) && Date.parse(tokenExpiresAt) - TOKEN_MARGIN_MS > Date.now();
  }

  /** Asks the person for the code until it has the right shape. */
  async #askCode(run, reason) {
    if (!this.#askPairingCode) {
      throw new ProctorClientError("pairing_required", "this page is not paired and has no askPairingCode callback");
    }
    this.#setState("pairing", reason?.message);
    const digits = this.#hello?.pairing?.digits ?? 6;
    let error = reason ?? this.#lastError;
    for (;;) {
      let typed;
      try {
        typed = await this.#askPairingCode({ digits, origin: this.#origin, error });
      } catch (cause) {
        throw new ProctorClientError("pairing_cancelled", "pairing was cancelled", { cause });
      }
      this.#checkRun(run);
      const code = normalizeCode(typed);
      if (new RegExp(`^\\d{${digits}}$`).test(code)) {
        this.#setState(this.#state === "pairing" ? "connecting" : this.#state);
        return code;
      }
      error = new ProctorClientError("invalid_code", `the pairing code has ${digits} digits`);
    }
  }

  #errorForLink(info) {
    if (info instanceof ProctorClientError) return info;
    if (info.silent) return new ProctorClientError("agent_silent", `the agent stopped answering (${info.reason})`);
    if (info.unexpected) return new ProctorClientError("protocol_error", info.reason);
    return errorForClose(info);
  }

  /** Stops an outdated run: close() was called meanwhile. */
  #checkRun(run, link) {
    if (run === this.#run) return;
    link?.abandon();
    throw new ProctorClientError("closed", "the page closed the connection");
  }

  // --- identified --------------------------------------------------------------------------------------

  #adopt(link, identified) {
    this.#identified = identified;
    this.#lastError = null;
    this.#memory.update({
      token: identified.token, tokenExpiresAt: identified.token_expires_at, session: identified.session,
    });
    this.#startSeqRun(identified);
    this.#identifiedAt = performance.now();
    this.#setState("identified");
    this.#dispatch("identified", identified);
    link.closed.then((info) => this.#linkClosed(link, info));
    this.#startHeartbeats(link);
    link.attach((message) => this.#receive(link, message)); // replayed events follow, in order
    this.#signals?.identified(); // the agent may have restarted: it hears the page's whole state again
    if (this.#markWindow && this.#markerAgentSession !== this.#hello.agent_session) {
      // Best effort: an agent without the screen plugin has no marker to give.
      this.markWindow().catch((error) => {
        if (!["unknown_target", "not_running", "closed"].includes(error.code)) this.#dispatch("error", error);
      });
    }
  }

  /** Where this connection's seqs start, and what was lost between the last one and this one. */
  #startSeqRun(identified) {
    const resume = identified.resume ?? { status: "none" };
    const previousSeq = this.#memory.record.lastSeq ?? null;
    const agentSession = this.#hello.agent_session;
    const replays = resume.status === "replayed" || resume.status === "gap";
    const startsAfter = replays ? resume.from_seq - 1 : identified.next_seq - 1;
    this.#seq.restart(agentSession, startsAfter);
    this.#memory.update({ agentSession, lastSeq: startsAfter });
    if (resume.status === "gap") {
      this.#dispatch("gap", { reason: "replay_gap", missed: resume.missed, afterSeq: previousSeq, nextSeq: resume.from_seq });
    } else if (resume.status === "new_agent_session") {
      this.#dispatch("gap", { reason: "agent_restarted", missed: null, afterSeq: previousSeq, nextSeq: identified.next_seq });
    }
  }

  #receive(link, message) {
    switch (message.op) {
      case "event": return this.#onEvent(message.d);
      case "response": return this.#onResponse(message);
      case "heartbeat": return this.#dispatch("heartbeat", message.d);
      case "dropped": return this.#onDropped(message.d);
      case "error": return this.#onAgentError(message);
      default: return undefined; // newer agents may send more; the protocol says to ignore what we do not know
    }
  }

  #onEvent(event) {
    if (this.#seq.observe(event.seq)) this.#settleGapSoon();
    this.#memory.updateQuietly({ lastSeq: this.#seq.lastSeq });
    this.#persistSoon();
    this.#dispatch("event", event);
    this.#dispatch(`event:${event.topic}`, event);
  }

  #onDropped(notice) {
    this.#seq.explainDropped(notice.count);
    this.#dispatch("dropped", notice);
  }

  #onAgentError(message) {
    const { code = "protocol_error", message: text = "the agent reported an error" } = message.d ?? {};
    const error = new ProctorClientError(code, text, { agentError: message.d });
    const id = message.id ?? message.d?.id;
    if (id !== undefined && this.#pending.has(String(id))) this.#settle(String(id), error);
    else this.#dispatch("error", error);
  }

  #onResponse({ id, d = {} }) {
    if (!this.#pending.has(String(id))) return; // answered after its timeout: nobody waits any more
    if (d.error) this.#settle(String(id), new ProctorClientError(d.error.code ?? "failed", d.error.message ?? "request failed", { agentError: d.error }));
    else this.#settle(String(id), null, "result" in d ? d.result : d);
  }

  #settleGapSoon() {
    if (this.#gapTimer) return;
    this.#gapTimer = setTimeout(() => {
      this.#gapTimer = null;
      const loss = this.#seq.takeUnexplained();
      if (loss) this.#dispatch("gap", { reason: "seq_jump", ...loss });
    }, GAP_SETTLE_MS);
  }

  /** The seq moves with every event: write it at most once a second. */
  #persistSoon() {
    if (this.#persistTimer) return;
    this.#persistTimer = setTimeout(() => {
      this.#persistTimer = null;
      this.#memory.flush();
    }, 1_000);
  }

  // --- requests ----------------------------------------------------------------------------------------

  #call(message, timeoutMs, label) {
    if (this.#state !== "identified") {
      return Promise.reject(new ProctorClientError("not_connected", `cannot send ${label}: not connected to the agent`));
    }
    const id = `r${++this.#nextRequestId}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.#settle(id, new ProctorClientError("timeout", `${label}: no answer within ${timeoutMs} ms`)), timeoutMs);
      this.#pending.set(id, { resolve, reject, timer });
      this.#link.send({ ...message, id });
    });
  }

  #settle(id, error, result) {
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#pending.delete(id);
    clearTimeout(pending.timer);
    if (error) pending.reject(error);
    else pending.resolve(result);
  }

  #rejectPending(reason) {
    for (const id of [...this.#pending.keys()]) {
      this.#settle(id, new ProctorClientError("closed", `the connection closed before the answer (${reason})`));
    }
  }

  // --- liveness ----------------------------------------------------------------------------------------

  /** Sends a heartbeat each interval and gives up on an agent silent for three of them. */
  #startHeartbeats(link) {
    const interval = this.#hello.heartbeat_interval_ms ?? 15_000;
    clearInterval(this.#heartbeatTimer);
    this.#heartbeatTimer = setInterval(() => {
      const silentFor = performance.now() - link.lastMessageAt;
      if (silentFor > SILENT_INTERVALS * interval) {
        link.abandon({ code: 4000, reason: `nothing from the agent for ${Math.round(silentFor)} ms`, silent: true });
      } else {
        link.send({ op: "heartbeat" });
      }
    }, interval);
  }

  #stopTimers() {
    clearInterval(this.#heartbeatTimer);
    clearTimeout(this.#gapTimer);
    clearTimeout(this.#reconnectTimer);
    clearTimeout(this.#persistTimer); // its callers write the seq themselves
    this.#heartbeatTimer = this.#gapTimer = this.#reconnectTimer = this.#persistTimer = null;
  }

  // --- losing the connection ---------------------------------------------------------------------------

  #linkClosed(link, info) {
    if (link !== this.#link || info.abandoned && !info.silent) return; // we closed it on purpose
    this.#stopTimers();
    this.#memory.flush();
    this.#rejectPending(info.reason || `close ${info.code}`);
    this.#identified = null;
    if (this.#ending) {
      this.#memory.forgetAll();
      this.#finishQuietly("session ended");
      return;
    }
    const error = this.#errorForLink(info);
    if (error.code === "session_revoked" || error.code === "token_expired") this.#memory.forgetToken();
    if (FINAL_CODES.has(error.code)) this.#finish(error);
    // A connection that ends soon after identifying does not earn a fresh start: an agent that keeps
    // accepting and closing (a page too slow for its events) would otherwise be hit every half second.
    else this.#reconnect(error, performance.now() - this.#identifiedAt < STABLE_CONNECTION_MS ? this.#reconnectAttempt + 1 : 1);
  }

  /** Tries again and again, waiting longer each time, until identified or refused for good. */
  async #reconnect(cause, firstAttempt = 1) {
    const run = this.#run;
    let error = cause;
    for (let attempt = firstAttempt; ; attempt++) {
      this.#reconnectAttempt = attempt;
      const wait = this.#backoffDelay(attempt);
      this.#setState("reconnecting", error.message, error, { attempt, retryInMs: Math.round(wait) });
      await this.#sleepUnlessClosed(wait);
      if (run !== this.#run) return;
      try {
        await this.#establish(run);
        return;
      } catch (failure) {
        if (run !== this.#run) return;
        if (FINAL_CODES.has(failure.code)) {
          this.#finish(failure);
          return;
        }
        error = failure;
      }
    }
  }

  /** Exponential, capped, with jitter so that many pages do not all come back at the same instant. */
  #backoffDelay(attempt) {
    const { initialDelayMs, maxDelayMs } = this.#backoff;
    const ceiling = Math.min(maxDelayMs, initialDelayMs * 2 ** (attempt - 1));
    return ceiling / 2 + Math.random() * ceiling / 2;
  }

  #sleepUnlessClosed(ms) {
    return new Promise((resolve) => {
      this.#reconnectTimer = setTimeout(resolve, ms);
      this.#wakeReconnect = resolve;
    });
  }

  /** The page closed the client: nothing it installed on the page, the track or itself stays behind. */
  #disconnect(info, reason) {
    this.#unmarkWindow();
    this.#stopShareReport?.();
    this.#stopKeeping?.();
    this.#signals?.stop();
    globalThis.removeEventListener?.("pagehide", this.#flushOnPageHide);
    this.#stopTimers();
    this.#wakeReconnect?.();
    this.#link?.abandon(info);
    this.#rejectPending(reason);
    this.#identified = null;
    this.#finishQuietly(reason);
  }

  /** Closed for good with `error`; `announce` dispatches it when no promise carries it. */
  #finish(error, { announce = true } = {}) {
    this.#unmarkWindow();
    this.#signals?.stop(); // listening again once identified
    this.#lastError = error;
    this.#link?.abandon();
    this.#stopTimers();
    this.#rejectPending(error.message);
    this.#identified = null;
    this.#setState("closed", error.message, error);
    if (announce) this.#dispatch("error", error);
  }

  #finishQuietly(reason) { this.#setState("closed", reason); }

  // --- dispatch ----------------------------------------------------------------------------------------

  #setState(state, reason = null, error = null, extra = {}) {
    if (state === this.#state && state !== "reconnecting") return;
    this.#state = state;
    this.#dispatch("state", { state, reason, error, ...extra });
  }

  #dispatch(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}

/**
 * Tells the agent what the browser itself knows of the page, as host requests named after their topics
 * (docs/protocol.md, "Page signals"): page.visibility (visibilitychange), page.focus (the window's focus and
 * blur), page.fullscreen (fullscreenchange, with the Keyboard Lock's state once keepFullScreen asked for
 * it) and page.screen_share (a shared track live, muted or ended). Only changes are sent, and the whole
 * state again after each identify. An agent without page signals (unknown_method) is left alone.
 */
class PageSignalReporter {
  #send;
  #fail;
  #last = new Map(); // topic -> the params last sent, as JSON
  #keyboardLock = null;
  #shareReport = null; // reports the shared track's state, while one is watched
  #stopListening = null; // removes the page's listeners, while they are on
  #gone = false; // the agent does not know page signals

  constructor(send, fail) {
    this.#send = send;
    this.#fail = fail;
  }

  identified() {
    if (!this.#stopListening) this.#start();
    this.#last.clear();
    this.#visibility();
    this.#focus(document.hasFocus());
    this.#fullScreen();
    this.#shareReport?.();
  }

  keyboardLock(state) {
    this.#keyboardLock = state;
    this.#fullScreen();
  }

  /**
   * Reports a shared track's state (live, muted, ended) on each change; returns a function that stops.
   * track.stop() from the page fires no event: reportScreenShare's watch of readyState calls shareChanged().
   */
  watchShare(track) {
    const report = () => this.#report("page.screen_share", {
      track: track.readyState === "ended" ? "ended" : track.muted ? "muted" : "live",
      display_surface: track.getSettings?.().displaySurface ?? null,
    });
    const events = ["mute", "unmute", "ended"];
    for (const name of events) track.addEventListener(name, report);
    this.#shareReport = report;
    report();
    return () => {
      if (this.#shareReport === report) this.#shareReport = null;
      for (const name of events) track.removeEventListener(name, report);
    };
  }

  /** The watched track changed without telling its listeners. */
  shareChanged() { this.#shareReport?.(); }

  /** Takes the page's listeners off (the client closed); the next identified() puts them back. */
  stop() {
    this.#stopListening?.();
    this.#stopListening = null;
  }

  #start() {
    this.#stopListening = listenAll([
      [document, "visibilitychange", () => this.#visibility()],
      [window, "focus", () => this.#focus(true)],
      [window, "blur", () => this.#focus(false)],
      [document, "fullscreenchange", () => this.#fullScreen()],
    ]);
  }

  #visibility() { this.#report("page.visibility", { visible: document.visibilityState === "visible" }); }
  #focus(focused) { this.#report("page.focus", { focused }); }
  #fullScreen() {
    const params = { full_screen: document.fullscreenElement != null };
    if (this.#keyboardLock) params.keyboard_lock = this.#keyboardLock;
    this.#report("page.fullscreen", params);
  }

  #report(topic, params) {
    const text = JSON.stringify(params);
    if (this.#gone || this.#last.get(topic) === text) return;
    this.#last.set(topic, text);
    this.#send(topic, params).catch((error) => {
      if (this.#last.get(topic) === text) this.#last.delete(topic); // not heard: say it again next time
      if (error.code === "unknown_method") this.#gone = true;
      else if (!["not_connected", "closed", "rate_limited"].includes(error.code)) this.#fail(error);
    });
  }
}

/** The "return to the interview" overlay keepFullScreen() shows while the page is out of full screen. */
class ReturnOverlay {
  #element = null;
  #message;

  constructor(message) { this.#message = message; }

  show(visible) {
    if (!visible) return this.remove();
    if (this.#element) return;
    const element = document.createElement("div");
    element.setAttribute("role", "alertdialog");
    element.setAttribute("aria-live", "assertive");
    element.dataset.proctord = "return-to-interview";
    element.textContent = this.#message;
    // The click that returns to full screen is the overlay's: nothing underneath gets it.
    for (const type of ["click", "pointerdown", "pointerup", "mousedown", "mouseup"]) {
      element.addEventListener(type, (event) => { event.preventDefault(); event.stopPropagation(); });
    }
    Object.assign(element.style, {
      position: "fixed", inset: "0", zIndex: "2147483647", display: "flex", alignItems: "center",
      justifyContent: "center", padding: "2em", textAlign: "center", font: "600 28px/1.4 system-ui, sans-serif",
      color: "#fff", background: "rgba(20, 24, 32, 0.92)", cursor: "pointer",
    });
    document.body.append(element);
    this.#element = element;
  }

  remove() {
    this.#element?.remove();
    this.#element = null;
  }
}

/** Adds each [target, type, listener, options?] and returns the function that takes them all off again. */
function listenAll(listeners) {
  for (const [target, type, listener, options] of listeners) target.addEventListener(type, listener, options);
  return () => {
    for (const [target, type, listener, options] of listeners) target.removeEventListener(type, listener, options);
  };
}

/** Waits for `link` to close, at most `ms`; the timer goes as soon as the link closes, not `ms` later. */
function closedWithin(link, ms) {
  let timer;
  const timeout = new Promise((resolve) => { timer = setTimeout(resolve, ms); });
  return Promise.race([link.closed, timeout]).finally(() => clearTimeout(timer));
}
