/**
 * screen-share.js — the interviewee's whole-screen share: asked with getDisplayMedia, refused unless it is a
 * whole monitor, shown back to the interviewee in a small preview (they always see what is shared), sent to
 * the interviewer, and reported to the agent (`client.reportScreenShare`) when one is connected. When the share
 * stops, the page says so and offers to share again.
 *
 * One share at a time: start() while a share is live, or while the picker is still open, keeps that share
 * (no second prompt) and resolves as it does. stop() while the picker is open cancels it: the screen picked
 * then is stopped at once, never shared, and start() resolves false (a start() before the pick undoes that).
 * end() (the person left the call) is stop() for good and without a word: no notice, no offer to share again.
 */

export class ScreenShare {
  #elements;
  #call;
  #client;
  #notices;
  #stopReporting = null;
  #asking = null; // the start() whose picker is open
  #cancelled = false; // stop() came while the picker was open: what is picked then is not shared
  #over = false; // end(): the page is done with sharing, and says nothing more about it
  #onEnded = () => this.#ended(); // one function, so it can be taken off the track again
  stream = null;

  /**
   * @param {object} elements `preview` (video), `button` (share again), `state` (a line saying what is shared)
   * @param {import("./call.js").Call} call
   * @param {object|null} client the paired ProctorClient, or null without an agent
   * @param {import("./notices.js").Notices} notices
   */
  constructor(elements, call, client, notices) {
    this.#elements = elements;
    this.#call = call;
    this.#client = client;
    this.#notices = notices;
    elements.button.addEventListener("click", () => this.start());
  }

  /** Asks for the whole screen (call it from a click). Resolves true once shared. */
  start() {
    if (this.#over) return Promise.resolve(false);
    this.#cancelled = false; // the page wants a share again, even from a picker it stopped
    if (this.#asking) return this.#asking;
    if (this.stream?.getVideoTracks()[0]?.readyState === "live") return Promise.resolve(true);
    this.#release(); // a share stopped without an `ended` event
    this.#asking = this.#ask().finally(() => { this.#asking = null; });
    return this.#asking;
  }

  stop() {
    if (this.#asking) this.#cancelled = true; // the browser's picker cannot be closed from here
    for (const t of this.stream?.getTracks() ?? []) t.stop();
    this.#ended();
  }

  /**
   * The person left the call: the share stops (a screen picked later is stopped at once), and the page offers
   * no new one and shows no notice about it. For good; a new call makes a new ScreenShare.
   */
  end() {
    this.#over = true;
    this.#cancelled = true;
    for (const t of this.stream?.getTracks() ?? []) t.stop();
    this.#release();
  }

  async #ask() {
    this.#elements.button.disabled = true;
    let stream;
    try {
      stream = await navigator.mediaDevices.getDisplayMedia({
        video: { displaySurface: "monitor", frameRate: { ideal: 15 } }, audio: false,
        monitorTypeSurfaces: "include", surfaceSwitching: "exclude", selfBrowserSurface: "exclude",
      });
    } catch (error) {
      if (this.#over) return false;
      this.#notShared(error.name === "NotAllowedError"
        ? "Your screen is not shared: the interviewer sees that. Choose “Share my whole screen” and pick your entire screen."
        : `Your screen could not be shared (${error.message}).`);
      return false;
    }
    if (this.#cancelled) {
      for (const t of stream.getTracks()) t.stop();
      if (this.#over) return false;
      this.#notShared("Sharing was stopped before you picked a screen: the interviewer sees that it is not shared. Choose “Share my whole screen” to share it.");
      return false;
    }
    const track = stream.getVideoTracks()[0];
    const surface = track.getSettings().displaySurface;
    if (surface && surface !== "monitor") {
      for (const t of stream.getTracks()) t.stop();
      this.#notShared(`You chose a ${surface === "browser" ? "tab" : "window"}: this interview needs your entire screen. Choose “Share my whole screen” again and pick the entire screen.`);
      return false;
    }
    this.stream = stream;
    this.#call.shareScreen(stream);
    this.#stopReporting = this.#client?.reportScreenShare(stream) ?? null;
    const preview = this.#elements.preview;
    preview.muted = true;
    preview.srcObject = stream;
    preview.play().catch(() => {});
    this.#elements.state.textContent = "You are sharing your entire screen with the interviewer. This preview shows what they see.";
    this.#elements.button.hidden = true;
    this.#notices.clear("screen");
    document.body.dataset.screen = "shared";
    track.addEventListener("ended", this.#onEnded);
    return true;
  }

  #ended() {
    if (!this.#release()) return;
    this.#notShared("You stopped sharing your screen: the interviewer sees that it is not shared. Choose “Share my whole screen” to share it again.");
  }

  /** Takes the share out of the call, the agent's report and the preview; false when there was none. */
  #release() {
    if (!this.stream) return false;
    this.stream.getVideoTracks()[0]?.removeEventListener("ended", this.#onEnded);
    this.#call.stopScreen();
    this.#stopReporting?.();
    this.#stopReporting = null;
    this.stream = null;
    this.#elements.preview.srcObject = null;
    return true;
  }

  #notShared(text) {
    document.body.dataset.screen = "not-shared";
    this.#elements.state.textContent = "Your screen is not shared.";
    this.#elements.button.hidden = false;
    this.#elements.button.disabled = false;
    this.#notices.stand("screen", text);
  }
}
