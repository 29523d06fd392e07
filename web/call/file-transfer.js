/**
 * file-transfer.js — file sharing over the `files` data channel, either way (docs/call.md, "Between the pages").
 *
 *   const transfers = new FileTransfer(filesChannel, { maxBytes: 50 * 1024 * 1024 });
 *   transfers.addEventListener("offer", (e) => ask(e.detail));        // {id, name, size, sha256}: accept or decline
 *   transfers.addEventListener("received", (e) => save(e.detail));    // {id, name, size, sha256, blob}
 *   await transfers.send(file);                                       // resolves once sent, rejects if declined
 *
 * The sender hashes the file (SHA-256, crypto.subtle) and offers it; the receiver answers `accept` or
 * `decline`; the sender then sends 16 KiB binary chunks, pausing while the channel holds more than 1 MiB
 * (`bufferedamountlow`), then `end`; the receiver checks the size and the hash. One file goes out at a time, so
 * chunks always belong to the oldest accepted transfer. Files over `maxBytes` are refused before any offer,
 * and an offer over it is declined without asking.
 *
 * Events (CustomEvent, detail): `offer`, `accepted`, `declined`, `progress` {id, direction: "send" | "receive",
 * bytes, size}, `sent`, `received`, `failed` {id, direction, error}.
 */

export const CHUNK_BYTES = 16 * 1024;
export const HIGH_WATER_BYTES = 1024 * 1024;
export const LOW_WATER_BYTES = 256 * 1024;
export const DEFAULT_MAX_BYTES = 50 * 1024 * 1024;
const READ_BYTES = 1024 * 1024; // the file is read a block at a time, then cut into chunks

export class FileTransferError extends Error {
  constructor(code, message) {
    super(message);
    this.name = "FileTransferError";
    this.code = code;
  }
}

/** The SHA-256 of `blob` as lowercase hex. */
export async function sha256Hex(blob) {
  const digest = await crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** "5.0 MB": sizes for people. */
export function formatBytes(bytes) {
  if (bytes < 1000) return `${bytes} bytes`;
  const units = ["kB", "MB", "GB"];
  let value = bytes / 1000, unit = 0;
  while (value >= 1000 && unit < units.length - 1) { value /= 1000; unit += 1; }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export class FileTransfer extends EventTarget {
  #channel;
  #maxBytes;
  #outgoing = new Map(); // id → {blob, name, size, sha256, resolve, reject}
  #incoming = new Map(); // id → {id, name, size, sha256, state: offered | accepted, chunks, bytes}
  #receiving = []; // ids accepted here, in order: chunks belong to the first
  #sendQueue = Promise.resolve();

  /**
   * @param {RTCDataChannel} channel the `files` channel (binaryType "arraybuffer")
   * @param {{maxBytes?: number}} [options]
   */
  constructor(channel, { maxBytes = DEFAULT_MAX_BYTES } = {}) {
    super();
    this.#channel = channel;
    this.#maxBytes = maxBytes;
    channel.bufferedAmountLowThreshold = LOW_WATER_BYTES;
    channel.addEventListener("message", (event) => this.#onMessage(event.data));
    channel.addEventListener("close", () => this.#failAll("The connection to the other person closed."));
  }

  get maxBytes() { return this.#maxBytes; }

  /**
   * Offers `file` (a File, or a Blob with `name`) and sends it once accepted. Resolves with {id, sha256} when
   * the last chunk is handed to the channel; rejects with FileTransferError `too_large`, `declined` or `closed`.
   */
  async send(file, name = file.name ?? "file") {
    if (this.#channel.readyState !== "open") throw new FileTransferError("closed", "The other person is not connected.");
    if (file.size > this.#maxBytes) {
      throw new FileTransferError("too_large", `${name} is ${formatBytes(file.size)}: files up to ${formatBytes(this.#maxBytes)} can be shared.`);
    }
    const id = crypto.randomUUID();
    const sha256 = await sha256Hex(file);
    const done = new Promise((resolve, reject) => this.#outgoing.set(id, { blob: file, name, size: file.size, sha256, resolve, reject }));
    this.#sendText({ type: "offer", id, name, size: file.size, sha256 });
    this.#emit("offered", { id, name, size: file.size, sha256 });
    return done;
  }

  /** Accepts the incoming offer `id`: its chunks start arriving. */
  accept(id) {
    const transfer = this.#incoming.get(id);
    if (transfer?.state !== "offered") return;
    transfer.state = "accepted";
    this.#receiving.push(id);
    this.#sendText({ type: "accept", id });
  }

  /** Declines the incoming offer `id`. */
  decline(id) {
    if (this.#incoming.get(id)?.state !== "offered") return;
    this.#incoming.delete(id);
    this.#sendText({ type: "decline", id });
  }

  #onMessage(data) {
    if (typeof data !== "string") return this.#onChunk(data);
    let message;
    try { message = JSON.parse(data); } catch { return; }
    const { type, id } = message ?? {};
    if (typeof id !== "string") return;
    if (type === "offer") this.#onOffer(message);
    else if (type === "accept") this.#onAccept(id);
    else if (type === "decline") this.#onDecline(id);
    else if (type === "end") this.#onEnd(id);
  }

  #onOffer({ id, name, size, sha256 }) {
    const safeName = String(name ?? "file").replace(/[\\/]/g, "_").slice(0, 200) || "file";
    if (!Number.isSafeInteger(size) || size < 0 || typeof sha256 !== "string" || this.#incoming.has(id)) return;
    if (size > this.#maxBytes) {
      this.#sendText({ type: "decline", id });
      this.#emit("failed", { id, direction: "receive", name: safeName, error: new FileTransferError("too_large",
        `The other person offered ${safeName} (${formatBytes(size)}), over the ${formatBytes(this.#maxBytes)} limit: it was declined.`) });
      return;
    }
    this.#incoming.set(id, { id, name: safeName, size, sha256: sha256.toLowerCase(), state: "offered", chunks: [], bytes: 0 });
    this.#emit("offer", { id, name: safeName, size, sha256 });
  }

  #onAccept(id) {
    const transfer = this.#outgoing.get(id);
    if (!transfer || transfer.started) return;
    transfer.started = true;
    this.#emit("accepted", { id });
    // One file at a time: the receiver attributes chunks to the oldest transfer it accepted.
    this.#sendQueue = this.#sendQueue.then(() => this.#stream(id, transfer)).catch(() => {});
  }

  #onDecline(id) {
    const transfer = this.#outgoing.get(id);
    if (!transfer) return;
    this.#outgoing.delete(id);
    this.#emit("declined", { id, name: transfer.name });
    transfer.reject(new FileTransferError("declined", `The other person declined ${transfer.name}.`));
  }

  async #stream(id, transfer) {
    const channel = this.#channel;
    try {
      for (let offset = 0; offset < transfer.size; offset += READ_BYTES) {
        const block = new Uint8Array(await transfer.blob.slice(offset, offset + READ_BYTES).arrayBuffer());
        for (let start = 0; start < block.length; start += CHUNK_BYTES) {
          if (channel.bufferedAmount > HIGH_WATER_BYTES) await this.#drained();
          if (channel.readyState !== "open") throw new FileTransferError("closed", "The connection closed during the transfer.");
          channel.send(block.slice(start, start + CHUNK_BYTES).buffer);
          this.#emit("progress", { id, direction: "send", bytes: offset + Math.min(start + CHUNK_BYTES, block.length), size: transfer.size });
        }
      }
      this.#sendText({ type: "end", id });
      this.#outgoing.delete(id);
      this.#emit("sent", { id, name: transfer.name, size: transfer.size, sha256: transfer.sha256 });
      transfer.resolve({ id, sha256: transfer.sha256 });
    } catch (error) {
      this.#outgoing.delete(id);
      this.#emit("failed", { id, direction: "send", name: transfer.name, error });
      transfer.reject(error);
    }
  }

  #drained() {
    return new Promise((resolve) => {
      const done = () => {
        this.#channel.removeEventListener("bufferedamountlow", done);
        this.#channel.removeEventListener("close", done);
        resolve();
      };
      this.#channel.addEventListener("bufferedamountlow", done);
      this.#channel.addEventListener("close", done);
    });
  }

  #onChunk(data) {
    const transfer = this.#incoming.get(this.#receiving[0]);
    if (!transfer) return;
    const bytes = data instanceof ArrayBuffer ? data : data.buffer ?? data;
    transfer.chunks.push(bytes);
    transfer.bytes += bytes.byteLength;
    if (transfer.bytes > transfer.size) {
      this.#finishReceiving(transfer, new FileTransferError("size", `${transfer.name}: more data arrived than offered.`));
      return;
    }
    this.#emit("progress", { id: transfer.id, direction: "receive", bytes: transfer.bytes, size: transfer.size });
  }

  async #onEnd(id) {
    if (this.#receiving[0] !== id) return;
    const transfer = this.#incoming.get(id);
    if (transfer.bytes !== transfer.size) {
      this.#finishReceiving(transfer, new FileTransferError("size", `${transfer.name}: ${transfer.bytes} bytes arrived of ${transfer.size}.`));
      return;
    }
    const blob = new Blob(transfer.chunks);
    this.#finishReceiving(transfer);
    const sha256 = await sha256Hex(blob);
    if (sha256 !== transfer.sha256) {
      this.#emit("failed", { id, direction: "receive", name: transfer.name,
        error: new FileTransferError("hash", `${transfer.name} arrived damaged (its SHA-256 differs): it was discarded.`) });
      return;
    }
    this.#emit("received", { id, name: transfer.name, size: transfer.size, sha256, blob });
  }

  #finishReceiving(transfer, error = null) {
    this.#receiving.shift();
    this.#incoming.delete(transfer.id);
    transfer.chunks = [];
    if (error) this.#emit("failed", { id: transfer.id, direction: "receive", name: transfer.name, error });
  }

  #failAll(reason) {
    for (const [id, transfer] of this.#outgoing) {
      transfer.reject(new FileTransferError("closed", reason));
      this.#emit("failed", { id, direction: "send", name: transfer.name, error: new FileTransferError("closed", reason) });
    }
    this.#outgoing.clear();
    for (const id of this.#receiving) {
      const transfer = this.#incoming.get(id);
      if (transfer) this.#emit("failed", { id, direction: "receive", name: transfer.name, error: new FileTransferError("closed", reason) });
    }
    this.#incoming.clear();
    this.#receiving = [];
  }

  #sendText(message) {
    if (this.#channel.readyState === "open") this.#channel.send(JSON.stringify(message));
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
