/**
 * recorder.js — the interviewer's recording of the call: both cameras and the shared screen drawn on one canvas,
 * both voices mixed with WebAudio, recorded with MediaRecorder into a WebM the interviewer downloads. Nothing
 * leaves the interviewer's computer. The page tells the other side (the `recording` message) so both show a
 * visible notice while it runs.
 *
 *   const recorder = new CallRecorder({ sources: () => ({ screen, remote, local }), audio: () => [remoteStream, localStream] });
 *   recorder.start();
 *   const blob = await recorder.stop();      // video/webm
 *   link.href = URL.createObjectURL(blob); link.download = recordingName();
 */

const WIDTH = 1280;
const HEIGHT = 720;
const FPS = 25;

export class CallRecorder extends EventTarget {
  #sources;
  #audio;
  #canvas = null;
  #timer = null;
  #context = null;
  #recorder = null;
  #chunks = [];
  startedAt = 0;
  stoppedAt = 0;

  /**
   * @param {object} options
   * @param {() => {screen?: HTMLVideoElement, remote?: HTMLVideoElement, local?: HTMLVideoElement}} options.sources
   *   the videos to draw, read on every frame (a share that starts later appears)
   * @param {() => MediaStream[]} options.audio the streams whose audio is mixed, read at start
   */
  constructor({ sources, audio }) {
    super();
    this.#sources = sources;
    this.#audio = audio;
  }

  get recording() { return this.#recorder?.state === "recording"; }

  /** The container and codecs this browser records. */
  static mimeType() {
    return ["video/webm;codecs=vp8,opus", "video/webm;codecs=vp9,opus", "video/webm"].find((type) => MediaRecorder.isTypeSupported(type)) ?? "";
  }

  start() {
    if (this.recording) return;
    this.#canvas = document.createElement("canvas");
    this.#canvas.width = WIDTH;
    this.#canvas.height = HEIGHT;
    const draw = this.#canvas.getContext("2d");
    this.#paint(draw);
    // A timer, not animation frames: frames keep coming while the tab is covered.
    this.#timer = setInterval(() => this.#paint(draw), 1000 / FPS);

    this.#context = new AudioContext();
    const mix = this.#context.createMediaStreamDestination();
    for (const stream of this.#audio()) {
      if (stream?.getAudioTracks().length) this.#context.createMediaStreamSource(stream).connect(mix);
    }
    const tracks = [...this.#canvas.captureStream(FPS).getVideoTracks(), ...mix.stream.getAudioTracks()];
    this.#chunks = [];
    this.#recorder = new MediaRecorder(new MediaStream(tracks), { mimeType: CallRecorder.mimeType(), videoBitsPerSecond: 2_500_000 });
    this.#recorder.ondataavailable = (event) => { if (event.data.size) this.#chunks.push(event.data); };
    this.#recorder.start(1000);
    this.startedAt = Date.now();
    this.dispatchEvent(new CustomEvent("state", { detail: { recording: true } }));
  }

  /** Stops; resolves with the recording as a WebM Blob. */
  stop() {
    if (!this.#recorder || this.#recorder.state === "inactive") return Promise.resolve(null);
    this.stoppedAt = Date.now();
    return new Promise((resolve) => {
      this.#recorder.onstop = () => {
        clearInterval(this.#timer);
        this.#context?.close();
        this.#canvas = null;
        const blob = new Blob(this.#chunks, { type: "video/webm" });
        this.#chunks = [];
        this.dispatchEvent(new CustomEvent("state", { detail: { recording: false, blob } }));
        resolve(blob);
      };
      this.#recorder.stop();
    });
  }

  #paint(draw) {
    const { screen, remote, local } = this.#sources();
    draw.fillStyle = "#101318";
    draw.fillRect(0, 0, WIDTH, HEIGHT);
    const live = (video) => video && video.readyState >= 2 && video.videoWidth > 0;
    if (live(screen)) {
      // The shared screen large, the two cameras in a column beside it.
      fit(draw, screen, 0, 0, WIDTH * 0.75, HEIGHT);
      if (live(remote)) fit(draw, remote, WIDTH * 0.75, 0, WIDTH * 0.25, HEIGHT / 2);
      if (live(local)) fit(draw, local, WIDTH * 0.75, HEIGHT / 2, WIDTH * 0.25, HEIGHT / 2);
    } else {
      if (live(remote)) fit(draw, remote, 0, 0, WIDTH / 2, HEIGHT);
      if (live(local)) fit(draw, local, WIDTH / 2, 0, WIDTH / 2, HEIGHT);
    }
    draw.fillStyle = "#d22";
    draw.beginPath();
    draw.arc(24, 24, 8, 0, 2 * Math.PI);
    draw.fill();
    draw.fillStyle = "#fff";
    draw.font = "16px system-ui, sans-serif";
    draw.fillText(new Date().toISOString().slice(11, 19), 40, 30);
  }
}

/** Draws `video` into the box, keeping its aspect ratio, centred. */
function fit(draw, video, x, y, width, height) {
  const scale = Math.min(width / video.videoWidth, height / video.videoHeight);
  const w = video.videoWidth * scale, h = video.videoHeight * scale;
  draw.drawImage(video, x + (width - w) / 2, y + (height - h) / 2, w, h);
}

/** "interview-2026-12-07T14-05-00.webm" */
export function recordingName(date = new Date()) {
  return `interview-${date.toISOString().slice(0, 19).replace(/:/g, "-")}.webm`;
}
