/**
 * peer-connection.js — the RTCPeerConnection between the two pages, negotiated with the W3C "perfect
 * negotiation" pattern over the call server's signalling (docs/call.md): the interviewee is the polite peer,
 * so when both sides offer at once the interviewer's offer wins.
 *
 *   const link = new PeerLink({ signalling, polite: true, iceServers: joined.iceServers });
 *   link.addStream(cameraStream, "camera");
 *   link.addEventListener("track", (e) => show(e.detail.stream, e.detail.label)); // "camera" or "screen"
 *
 * Each description carries `streams`, which of the sender's stream ids is its camera and which its shared
 * screen, so the receiver knows which video is which; and `link`, this connection's random id: a message from
 * a new link of the other page (it reloaded) makes this side start a fresh connection too.
 */

export class PeerLink extends EventTarget {
  #signalling;
  #polite;
  #makingOffer = false;
  #ignoreOffer = false;
  #labels = {}; // our stream id → label
  #remoteLabels = {};
  #senders = new Map(); // our stream id → RTCRtpSender[]
  #onSignal;
  remoteLink = null;

  /**
   * @param {object} options
   * @param {import("./signalling.js").Signalling} options.signalling
   * @param {boolean} options.polite true for the interviewee
   * @param {RTCIceServer[]} [options.iceServers] from the server's `joined`
   */
  constructor({ signalling, polite, iceServers = [] }) {
    super();
    this.#signalling = signalling;
    this.#polite = polite;
    this.id = Math.random().toString(36).slice(2, 12);
    this.pc = new RTCPeerConnection({ iceServers });
    this.pc.onnegotiationneeded = () => this.#offer();
    this.pc.onicecandidate = ({ candidate }) => { if (candidate) this.#send({ candidate: candidate.toJSON() }); };
    this.pc.oniceconnectionstatechange = () => { if (this.pc.iceConnectionState === "failed") this.pc.restartIce(); };
    this.pc.onconnectionstatechange = () => this.#emit("state", { state: this.pc.connectionState });
    this.pc.ontrack = ({ track, streams }) => {
      const stream = streams[0] ?? new MediaStream([track]);
      this.#emit("track", { track, stream, label: this.#remoteLabels[stream.id] ?? "camera" });
    };
  }

  /** Sends every track of `stream`, labelled "camera" or "screen" for the other page. */
  addStream(stream, label) {
    this.#labels[stream.id] = label;
    this.#senders.set(stream.id, stream.getTracks().map((track) => this.pc.addTrack(track, stream)));
  }

  /** Stops sending `stream` (the share ended). */
  removeStream(stream) {
    for (const sender of this.#senders.get(stream.id) ?? []) {
      if (this.pc.signalingState !== "closed") this.pc.removeTrack(sender);
    }
    this.#senders.delete(stream.id);
    delete this.#labels[stream.id];
  }

  /** Swaps the camera or microphone in place (a new device was chosen): no renegotiation. */
  async replaceTrack(kind, track) {
    for (const senders of this.#senders.values()) {
      for (const sender of senders) if (sender.track?.kind === kind) await sender.replaceTrack(track);
    }
  }

  /** Feeds a relayed `signal` message's data. Returns false when it came from another link of the peer. */
  async handleSignal({ description, candidate, streams, link }) {
    if (link && this.remoteLink && link !== this.remoteLink) return false;
    if (link) this.remoteLink = link;
    if (streams) this.#remoteLabels = { ...this.#remoteLabels, ...streams };
    const pc = this.pc;
    if (description) {
      const collision = description.type === "offer" && (this.#makingOffer || pc.signalingState !== "stable");
      this.#ignoreOffer = !this.#polite && collision;
      if (this.#ignoreOffer) return true;
      await pc.setRemoteDescription(description);
      if (description.type === "offer") {
        await pc.setLocalDescription();
        this.#send({ description: pc.localDescription });
      }
    } else if (candidate) {
      try {
        await pc.addIceCandidate(candidate);
      } catch (error) {
        if (!this.#ignoreOffer) throw error;
      }
    }
    return true;
  }

  close() {
    this.pc.close();
    this.#emit("state", { state: "closed" });
  }

  async #offer() {
    try {
      this.#makingOffer = true;
      await this.pc.setLocalDescription();
      this.#send({ description: this.pc.localDescription });
    } catch (error) {
      this.#emit("error", { error });
    } finally {
      this.#makingOffer = false;
    }
  }

  #send(data) {
    const message = { ...data, link: this.id };
    if (data.description) message.streams = { ...this.#labels };
    this.#signalling.signal(message);
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
