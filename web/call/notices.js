/**
 * notices.js — plain-language notices at the top of a call page: short ones that fade, and standing ones (the
 * call is being recorded, the screen is not shared) that stay until the condition ends. Read out by screen
 * readers through a live region.
 */

export class Notices {
  #root;
  #standing = new Map();

  /** @param {HTMLElement} root an element with role="status" and aria-live="polite" */
  constructor(root) {
    this.#root = root;
  }

  /** Shows `text` for `seconds` (0: until closed); `kind` is info, ok, warn or bad. */
  say(text, { kind = "info", seconds = 8 } = {}) {
    const notice = this.#make(text, kind);
    if (seconds > 0) setTimeout(() => notice.remove(), seconds * 1000);
    return notice;
  }

  /** Shows `text` under `key` until `clear(key)`, replacing an earlier one with the same key. */
  stand(key, text, { kind = "warn" } = {}) {
    this.#standing.get(key)?.remove();
    const notice = this.#make(text, kind, false);
    notice.dataset.key = key;
    this.#standing.set(key, notice);
    return notice;
  }

  clear(key) {
    this.#standing.get(key)?.remove();
    this.#standing.delete(key);
  }

  #make(text, kind, closable = true) {
    const notice = document.createElement("p");
    notice.className = `notice notice-${kind}`;
    notice.append(document.createTextNode(text));
    if (closable) {
      const close = document.createElement("button");
      close.type = "button";
      close.className = "notice-close";
      close.setAttribute("aria-label", "Close this notice");
      close.textContent = "×";
      close.addEventListener("click", () => notice.remove());
      notice.append(close);
    }
    this.#root.append(notice);
    return notice;
  }
}
