/**
 * channels.js — the two data channels the pages open on their peer connection (docs/call.md, "Between the
 * pages"): `proctor` (JSON messages with a `type`) and `files` (file transfers). Both are negotiated with fixed
 * ids, so each page creates its own end and neither waits for a `datachannel` event.
 */

export const PROCTOR_CHANNEL = { label: "proctor", id: 0 };
export const FILES_CHANNEL = { label: "files", id: 1 };

/** Opens both channels on `pc`: `proctor` wrapped as a JsonChannel, `files` as the raw RTCDataChannel. */
export function openChannels(pc) {
  const open = ({ label, id }) => pc.createDataChannel(label, { negotiated: true, id, ordered: true });
  const files = open(FILES_CHANNEL);
  files.binaryType = "arraybuffer";
  return { proctor: new JsonChannel(open(PROCTOR_CHANNEL)), files };
}

/**
 * A data channel carrying JSON objects. Messages sent before it opens wait and go out in order once it does.
 * Fires `message` (detail: the object), and `open` / `close`. Whoever sends keeps what could not go yet
 * (Call.sendProctor holds the newest 5,000 until a channel opens).
 */
export class JsonChannel extends EventTarget {
  constructor(channel) {
    super();
    this.channel = channel;
    channel.addEventListener("open", () => this.dispatchEvent(new Event("open")));
    channel.addEventListener("close", () => this.dispatchEvent(new Event("close")));
    channel.addEventListener("message", (event) => {
      if (typeof event.data !== "string") return;
      let message;
      try { message = JSON.parse(event.data); } catch { return; }
      if (typeof message?.type !== "string") return;
      this.dispatchEvent(new CustomEvent("message", { detail: message }));
    });
  }

  get isOpen() { return this.channel.readyState === "open"; }

  /** Sends `message` if the channel is open; false when it is not (nothing is kept). */
  send(message) {
    if (this.channel.readyState !== "open") return false;
    this.channel.send(JSON.stringify(message));
    return true;
  }
}
