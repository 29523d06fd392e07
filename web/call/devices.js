/**
 * devices.js — choosing the camera, microphone and speaker before the call, with a live preview and a level
 * meter, remembered in localStorage for the next interview.
 *
 *   const devices = new DevicePicker({ camera: select, microphone: select, speaker: select, preview: video,
 *                                      meter: meterElement, testSound: button });
 *   const stream = await devices.start();      // asks for camera and microphone, fills the lists
 *   devices.addEventListener("change", (e) => link.replaceTrack(e.detail.kind, e.detail.track));
 *   devices.applySpeaker(remoteVideo);          // plays the other person through the chosen speaker
 *
 * start() again (a retry) replaces the stream: the earlier one's tracks are stopped, so the camera and
 * microphone are not left on. A start() that fails leaves no stream and an empty preview; changing the
 * camera or microphone then says that start's error again (start again, e.g. the retry button, to recover).
 *
 * The speaker is set with HTMLMediaElement.setSinkId, where the browser has it (Chromium); elsewhere the list
 * is hidden and the system's default plays.
 */

const STORAGE_KEY = "proctord-call.devices";

export class DevicePicker extends EventTarget {
  #elements;
  #storage;
  #audio = null; // {context, analyser, source}
  #meterTimer = null;
  #refill = () => this.#fillLists(); // one function, so a second start() does not add a second listener
  #sinks = new Set();
  #startFailure = null; // the error the last start() threw: there is no stream to change a device in
  stream = null;

  /**
   * @param {object} elements `camera`, `microphone`, `speaker` (HTMLSelectElement), `preview` (HTMLVideoElement),
   *   `meter` (HTMLMeterElement or any element with a `value`), optional `status` for plain-language problems
   * @param {{storage?: Storage}} [options]
   */
  constructor(elements, { storage = globalThis.localStorage } = {}) {
    super();
    this.#elements = elements;
    this.#storage = storage;
    elements.camera.addEventListener("change", () => this.#switch("video"));
    elements.microphone.addEventListener("change", () => this.#switch("audio"));
    elements.speaker?.addEventListener("change", () => this.#chooseSpeaker());
    if (!("setSinkId" in HTMLMediaElement.prototype) && elements.speaker) elements.speaker.closest("label, .field")?.setAttribute("hidden", "");
  }

  /** Opens the remembered (or default) camera and microphone; resolves with their stream. */
  async start() {
    // Released before asking: a camera that some systems open only once would be "in use" by this very page.
    this.#release();
    this.#startFailure = null;
    const saved = this.#saved();
    let stream;
    try {
      stream = await this.#open({ video: saved.video, audio: saved.audio });
    } catch (error) {
      // A remembered device that is gone: fall back to the defaults once.
      if (error.name !== "OverconstrainedError" && error.name !== "NotFoundError") throw this.#failed(error);
      try { stream = await this.#open({}); } catch (again) { throw this.#failed(again); }
    }
    this.#release(); // one that another start() opened meanwhile
    this.stream = stream;
    await this.#fillLists();
    this.#showPreview();
    navigator.mediaDevices.addEventListener?.("devicechange", this.#refill);
    return this.stream;
  }

  /**
   * The devices step both pages share, on their elements (#camera, #microphone, #speaker, #preview, #level,
   * #devices-error, #devices-retry, #devices-continue): resolves {devices, camera} once the devices work and
   * the person chose to continue.
   */
  static async runStep() {
    const $ = (id) => document.getElementById(id);
    const devices = new DevicePicker({
      camera: $("camera"), microphone: $("microphone"), speaker: $("speaker"), preview: $("preview"), meter: $("level"), status: $("devices-error"),
    });
    const camera = await devices.startUntilReady({ error: $("devices-error"), retry: $("devices-retry") });
    const next = $("devices-continue");
    next.disabled = false;
    await new Promise((resolve) => next.addEventListener("click", resolve, { once: true }));
    return { devices, camera };
  }

  /**
   * start() until it succeeds: each failure is said in `error` and the `retry` button tries again (the person
   * plugged a camera in, or allowed it in the site settings).
   */
  async startUntilReady({ error, retry }) {
    for (;;) {
      try {
        const stream = await this.start();
        error.hidden = true;
        return stream;
      } catch (failure) {
        error.textContent = failure.message;
        error.hidden = false;
        await new Promise((resolve) => retry.addEventListener("click", resolve, { once: true }));
      }
    }
  }

  /** Plays `element` through the chosen speaker now and after every change. */
  async applySpeaker(element) {
    this.#sinks.add(element);
    const id = this.#elements.speaker?.value;
    if (id && element.setSinkId) await element.setSinkId(id).catch(() => {});
  }

  /** Stops the level meter (the call has its own views); the stream stays. */
  stopMeter() {
    clearInterval(this.#meterTimer);
    this.#meterTimer = null;
    this.#audio?.context.close();
    this.#audio = null;
  }

  /** The camera and microphone are no longer needed (the person left): their tracks stop. */
  stop() {
    this.#release();
  }

  /** Stops the current stream's tracks and its meter, and takes it out of the preview. */
  #release() {
    this.stopMeter();
    for (const track of this.stream?.getTracks() ?? []) track.stop();
    this.stream = null;
    this.#elements.preview.srcObject = null; // a stopped stream would stay on screen as a still frame
  }

  /** A start() that failed: its error in plain words, kept for a device change that follows. */
  #failed(error) {
    const explained = explain(error);
    if (!this.stream) this.#startFailure = explained; // not when another start() has opened one meanwhile
    return explained;
  }

  async #open({ video, audio }) {
    return navigator.mediaDevices.getUserMedia({
      video: video ? { deviceId: { exact: video }, width: { ideal: 1280 }, height: { ideal: 720 } } : { width: { ideal: 1280 }, height: { ideal: 720 } },
      audio: audio ? { deviceId: { exact: audio }, echoCancellation: true, noiseSuppression: true } : { echoCancellation: true, noiseSuppression: true },
    });
  }

  async #switch(kind) {
    // No stream to put the device in: say why, rather than open a device that would be left on.
    if (!this.stream) return this.#say(this.#startFailure?.message ?? "The camera and microphone are not open yet.");
    const select = kind === "video" ? this.#elements.camera : this.#elements.microphone;
    const constraints = kind === "video" ? { video: { deviceId: { exact: select.value } } } : { audio: { deviceId: { exact: select.value } } };
    let fresh = null;
    try {
      fresh = await navigator.mediaDevices.getUserMedia(constraints);
      // A start() (a retry) may have released the stream meanwhile: nothing to put the device in.
      if (!this.stream) { for (const t of fresh.getTracks()) t.stop(); return; }
      const track = kind === "video" ? fresh.getVideoTracks()[0] : fresh.getAudioTracks()[0];
      for (const old of kind === "video" ? this.stream.getVideoTracks() : this.stream.getAudioTracks()) {
        this.stream.removeTrack(old);
        old.stop();
      }
      this.stream.addTrack(track);
      this.#remember();
      this.#showPreview();
      this.dispatchEvent(new CustomEvent("change", { detail: { kind, track } }));
    } catch (error) {
      for (const t of fresh?.getTracks() ?? []) if (!this.stream?.getTracks().includes(t)) t.stop(); // not left on
      this.#say(explain(error).message);
    }
  }

  async #chooseSpeaker() {
    this.#remember();
    for (const element of this.#sinks) await this.applySpeaker(element);
  }

  async #fillLists() {
    const all = await navigator.mediaDevices.enumerateDevices();
    const current = {
      videoinput: this.stream?.getVideoTracks()[0]?.getSettings().deviceId,
      audioinput: this.stream?.getAudioTracks()[0]?.getSettings().deviceId,
      audiooutput: this.#elements.speaker?.value || this.#saved().speaker,
    };
    const fill = (select, kind, fallback) => {
      if (!select) return;
      select.replaceChildren(...all.filter((d) => d.kind === kind).map((device, index) => {
        const option = new Option(device.label || `${fallback} ${index + 1}`, device.deviceId);
        option.selected = device.deviceId === current[kind];
        return option;
      }));
    };
    fill(this.#elements.camera, "videoinput", "Camera");
    fill(this.#elements.microphone, "audioinput", "Microphone");
    fill(this.#elements.speaker, "audiooutput", "Speaker");
    this.#remember();
  }

  #showPreview() {
    const preview = this.#elements.preview;
    preview.muted = true;
    preview.srcObject = this.stream;
    preview.play().catch(() => {});
    this.stopMeter();
    const track = this.stream.getAudioTracks()[0];
    if (!track || !this.#elements.meter) return;
    const context = new AudioContext();
    const analyser = context.createAnalyser();
    analyser.fftSize = 1024;
    const source = context.createMediaStreamSource(new MediaStream([track]));
    source.connect(analyser);
    this.#audio = { context, analyser, source };
    const samples = new Float32Array(analyser.fftSize);
    // A timer, not animation frames: the meter keeps moving while the window is covered by the prompt.
    this.#meterTimer = setInterval(() => {
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const value of samples) sum += value * value;
      const rms = Math.sqrt(sum / samples.length);
      // About -60 dBFS (silence) to 0 dBFS (loud), as 0..1.
      this.#elements.meter.value = Math.max(0, Math.min(1, (20 * Math.log10(rms || 1e-6) + 60) / 60));
    }, 100);
    context.resume().catch(() => {});
  }

  #saved() {
    try { return JSON.parse(this.#storage?.getItem(STORAGE_KEY) ?? "{}") ?? {}; } catch { return {}; }
  }

  #remember() {
    this.#storage?.setItem(STORAGE_KEY, JSON.stringify({
      video: this.#elements.camera.value || undefined,
      audio: this.#elements.microphone.value || undefined,
      speaker: this.#elements.speaker?.value || undefined,
    }));
  }

  #say(text) {
    if (this.#elements.status) this.#elements.status.textContent = text;
  }
}

/** getUserMedia's errors in plain words. */
export function explain(error) {
  const sentences = {
    NotAllowedError: "The browser was not allowed to use the camera and microphone. Allow them with the icon left of the address, then reload.",
    NotFoundError: "No camera or microphone was found. Plug one in and reload.",
    NotReadableError: "The camera or microphone is in use by another program. Close it and try again.",
    OverconstrainedError: "The chosen device is not available any more. Pick another one.",
  };
  const wrapped = new Error(sentences[error?.name] ?? `The camera or microphone could not be opened (${error?.message ?? error}).`);
  wrapped.name = error?.name ?? "Error";
  return wrapped;
}
