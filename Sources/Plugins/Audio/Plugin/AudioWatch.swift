import AudioPulse
import PluginKit
import ProctorJSON
import Synchronization

/// What the sound server has: its devices, the programs recording, the
/// defaults. Fed by the main loop's thread (`handle`), read by requests on
/// the control thread; publishes `audio.devices` and `audio.capture`.
final class AudioWatch: Sendable {
    struct State: Sendable {
        var connected = false
        var listed = false
        var reason: String?
        var sources: [UInt32: AudioDevice] = [:]
        var sinks: [UInt32: AudioDevice] = [:]
        var captures: [UInt32: AudioCapture] = [:]
        var defaultSource: String?
        var defaultSink: String?
        /// The source the voice stream records: the call page's microphone once the page has said which.
        var voiceSource: String?
    }

    private let host: PluginHost
    private let settings: AudioSettings
    private let voice: VoiceMonitor?
    private let state = Mutex(State())

    init(host: PluginHost, settings: AudioSettings, voice: VoiceMonitor?) {
        self.host = host
        self.settings = settings
        self.voice = voice
    }

    var snapshot: State { state.withLock { $0 } }

    /// One finding from the main loop, on its thread.
    func handle(_ e: audio_pulse_event_t) {
        switch e.kind {
        case AUDIO_PULSE_CONNECTED:
            state.withLock { $0 = State(connected: true) }
            host.reportHealth(degraded: nil)
            host.log(.info, "connected to the sound server \(audio_pulse_event_t.string(e.text) ?? "")")
        case AUDIO_PULSE_DISCONNECTED:
            lost(reason: audio_pulse_event_t.string(e.text) ?? "unknown")
        case AUDIO_PULSE_LISTED:
            state.withLock { $0.listed = true }
            publishDevices(reason: "listed", device: nil)
        case AUDIO_PULSE_SERVER:
            let source = audio_pulse_event_t.string(e.default_source), sink = audio_pulse_event_t.string(e.default_sink)
            let (changed, listed) = state.withLock { s in
                let changed = s.defaultSource != source || s.defaultSink != sink
                s.defaultSource = source
                s.defaultSink = sink
                return (changed, s.listed)
            }
            if changed && listed { publishDevices(reason: "default_changed", device: nil) }
        case AUDIO_PULSE_DEVICE:
            let device = AudioDevice(e)
            let (previous, listed) = state.withLock { s in
                let previous = device.kind == .source ? s.sources.updateValue(device, forKey: device.index)
                    : s.sinks.updateValue(device, forKey: device.index)
                return (previous, s.listed)
            }
            if listed && previous != device { publishDevices(reason: previous == nil ? "added" : "changed", device: device) }
        case AUDIO_PULSE_DEVICE_REMOVED:
            let removed = state.withLock { s in
                e.is_source != 0 ? s.sources.removeValue(forKey: e.index) : s.sinks.removeValue(forKey: e.index)
            }
            if let removed { publishDevices(reason: "removed", device: removed) }
        case AUDIO_PULSE_CAPTURE:
            guard e.own == 0 else { return }
            let capture = AudioCapture(e)
            let (previous, source) = state.withLock { s in
                (s.captures.updateValue(capture, forKey: capture.index), s.sources[capture.sourceIndex])
            }
            // A capture that moves to another source is a new capture of that
            // source; one unlinked from its source (PipeWire) stops until linked again.
            let reported = previous.flatMap { $0.isRecording ? $0 : nil }
            guard reported?.sourceIndex != capture.sourceIndex else { return }
            if let reported { emitCapture(reported, state: "stopped", reason: capture.isRecording ? "moved" : "unlinked") }
            if capture.isRecording { emitCapture(capture, state: "started", source: source) }
        case AUDIO_PULSE_SAMPLES:
            voice?.consume(UnsafeBufferPointer(start: e.samples, count: e.sample_count))
        case AUDIO_PULSE_RECORDING:
            if let failure = audio_pulse_event_t.string(e.text) {
                voice?.recording(from: nil, reason: "source_gone")
                host.log(.warning, "cannot record \(audio_pulse_event_t.string(e.name) ?? "?") for voice activity: \(failure)")
            } else {
                let name = audio_pulse_event_t.string(e.name)
                voice?.recording(from: name, reason: "source_changed")
                let (changed, listed) = state.withLock { s in
                    defer { s.voiceSource = name }
                    return (s.voiceSource != name, s.listed)
                }
                if changed && listed { publishDevices(reason: "voice_source_changed", device: nil) }
            }
        case AUDIO_PULSE_CAPTURE_REMOVED:
            if let capture = state.withLock({ $0.captures.removeValue(forKey: e.index) }), capture.isRecording {
                emitCapture(capture, state: "stopped", reason: "ended")
            }
        default:
            break
        }
    }

    /// The server is gone: what it had is gone with it; say so, then wait for
    /// it. Failed attempts to reconnect keep the first reason.
    private func lost(reason: String) {
        let (was, captures, first) = state.withLock { s in
            let old = (s.connected, Array(s.captures.values), s.reason == nil)
            s = State(connected: false, reason: s.reason ?? reason)
            return old
        }
        guard was || first else { return }
        voice?.recording(from: nil, reason: "server_gone")
        for capture in captures.filter(\.isRecording).sorted(by: { $0.index < $1.index }) {
            emitCapture(capture, state: "stopped", reason: "server_gone")
        }
        let server = settings.server.isEmpty ? "the default sound server" : "sound server \(settings.server)"
        host.reportHealth(degraded: was ? "\(server) went away: \(reason)" : "no \(server): \(reason)")
    }

    private func emitCapture(_ capture: AudioCapture, state name: String, source: AudioDevice? = nil, reason: String? = nil) {
        let (known, voiceSource) = state.withLock { ($0.sources[capture.sourceIndex], $0.voiceSource) }
        host.emit("audio.capture", capture.json(state: name, source: source ?? known, voiceSource: voiceSource,
                                                browserBinaries: settings.browserBinaries, reason: reason))
    }

    private func publishDevices(reason: String, device: AudioDevice?) {
        let s = snapshot
        var data: JSONObject = [
            "reason": .string(reason),
            "default_source": s.defaultSource.map(JSONValue.string) ?? .null,
            "default_sink": s.defaultSink.map(JSONValue.string) ?? .null,
            "voice_source": s.voiceSource.map(JSONValue.string) ?? .null,
            "sources": .array(s.sources.values.sorted { $0.index < $1.index }.map { $0.json(sinks: s.sinks) }),
            "sinks": .array(s.sinks.values.sorted { $0.index < $1.index }.map { $0.json(sinks: s.sinks) }),
        ]
        if let device { data["device"] = device.json(sinks: s.sinks) }
        host.emit("audio.devices", .object(data))
    }

    /// The `status` answer.
    func status() -> JSONValue {
        let s = snapshot
        return [
            "connected": .bool(s.connected && s.listed), "reason": s.reason.map(JSONValue.string) ?? .null,
            "default_source": s.defaultSource.map(JSONValue.string) ?? .null,
            "captures": .number(Double(s.captures.values.filter(\.isRecording).count)),
        ]
    }

    /// The sources whose description (the label a browser shows) is `label`,
    /// or else the one whose name it is: more than one means the label is ambiguous.
    func sources(labelled label: String) -> [AudioDevice] {
        let sources = snapshot.sources.values.sorted { $0.index < $1.index }
        let described = sources.filter { $0.description == label }
        return described.isEmpty ? sources.filter { $0.name == label } : described
    }

    /// The `input_devices` answer: the sources the page may choose from.
    func inputDevices() -> JSONValue {
        let s = snapshot
        return ["default_source": s.defaultSource.map(JSONValue.string) ?? .null,
                "sources": .array(s.sources.values.sorted { $0.index < $1.index }.map { $0.json(sinks: s.sinks) })]
    }
}
