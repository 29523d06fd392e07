/**
 * file-share-ui.js — the file-sharing panel of both pages: a file picker that offers the chosen file, the
 * accept step for what the other person offers, a progress bar per transfer, and a link to save each file
 * received. The transfers themselves are in file-transfer.js; this binds each new connection's FileTransfer.
 *
 * Each transfer is an <li> with data-direction (send | receive), data-state (offered, sending, receiving,
 * sent, received, declined, failed) and, once known, data-sha256 and data-name.
 */

import { formatBytes } from "./file-transfer.js";

export class FileShareUI {
  #list;
  #notices;
  #transfers = null;
  #items = new Map();

  /**
   * @param {object} elements `input` (input type=file), `list` (ul)
   * @param {import("./call.js").Call} call
   * @param {import("./notices.js").Notices} notices
   */
  constructor({ input, list }, call, notices) {
    this.#list = list;
    this.#notices = notices;
    call.addEventListener("link", (e) => this.#bind(e.detail.transfers));
    if (call.transfers) this.#bind(call.transfers);
    input.addEventListener("change", async () => {
      for (const file of input.files) this.#offer(file);
      input.value = "";
    });
  }

  async #offer(file) {
    if (!this.#transfers) {
      this.#notices.say("The other person is not connected yet: the file can be shared once they are.", { kind: "warn" });
      return;
    }
    try {
      await this.#transfers.send(file);
    } catch (error) {
      this.#notices.say(error.message, { kind: error.code === "declined" ? "info" : "warn" });
    }
  }

  #bind(transfers) {
    this.#transfers = transfers;
    transfers.addEventListener("offered", (e) => this.#item(e.detail, "send", "offered", "Waiting for the other person to accept…"));
    transfers.addEventListener("accepted", (e) => this.#update(e.detail.id, "sending", "Sending…"));
    transfers.addEventListener("declined", (e) => this.#update(e.detail.id, "declined", "Declined by the other person."));
    transfers.addEventListener("offer", (e) => this.#ask(e.detail));
    transfers.addEventListener("progress", (e) => {
      const item = this.#items.get(e.detail.id);
      if (!item) return;
      item.querySelector("progress").value = e.detail.bytes / e.detail.size;
      if (e.detail.direction === "receive" && item.dataset.state !== "receiving") this.#update(e.detail.id, "receiving", "Receiving…");
    });
    transfers.addEventListener("sent", (e) => this.#update(e.detail.id, "sent", "Sent."));
    transfers.addEventListener("received", (e) => this.#received(e.detail));
    transfers.addEventListener("failed", (e) => {
      if (!this.#items.has(e.detail.id)) this.#item(e.detail, e.detail.direction, "failed", "");
      this.#update(e.detail.id, "failed", e.detail.error.message);
    });
  }

  #ask(offer) {
    const item = this.#item(offer, "receive", "offered", "The other person wants to send you this file.");
    const accept = button("Accept", () => { this.#transfers?.accept(offer.id); this.#update(offer.id, "receiving", "Receiving…"); });
    const decline = button("Decline", () => { this.#transfers?.decline(offer.id); this.#update(offer.id, "declined", "You declined it."); });
    accept.className = "primary";
    item.querySelector(".actions").append(accept, decline);
    accept.focus({ preventScroll: true });
  }

  #received({ id, name, blob, sha256 }) {
    const item = this.#update(id, "received", "Received, checked intact.");
    if (!item) return;
    item.dataset.sha256 = sha256;
    const save = document.createElement("a");
    save.href = URL.createObjectURL(blob);
    save.download = name;
    save.textContent = "Save";
    save.className = "button";
    item.querySelector(".actions").append(save);
  }

  #item({ id, name, size, sha256 }, direction, state, status) {
    const item = document.createElement("li");
    item.className = "transfer";
    item.dataset.id = id;
    item.dataset.direction = direction;
    item.dataset.name = name ?? "";
    if (direction === "send" && sha256) item.dataset.sha256 = sha256;
    const title = document.createElement("span");
    title.className = "transfer-name";
    title.textContent = `${direction === "send" ? "To them" : "From them"}: ${name}${size !== undefined ? ` (${formatBytes(size)})` : ""}`;
    const progress = document.createElement("progress");
    progress.max = 1;
    progress.value = 0;
    const line = document.createElement("span");
    line.className = "transfer-status";
    const actions = document.createElement("span");
    actions.className = "actions";
    item.append(title, progress, line, actions);
    this.#list.prepend(item);
    this.#items.set(id, item);
    this.#update(id, state, status);
    return item;
  }

  #update(id, state, status) {
    const item = this.#items.get(id);
    if (!item) return null;
    item.dataset.state = state;
    item.querySelector(".transfer-status").textContent = status;
    if (state !== "offered") item.querySelector(".actions").replaceChildren();
    if (state === "sent" || state === "received") item.querySelector("progress").value = 1;
    return item;
  }
}

function button(text, onClick) {
  const element = document.createElement("button");
  element.type = "button";
  element.textContent = text;
  element.addEventListener("click", onClick);
  return element;
}
