import AudioPulse
import PluginKit
import ProctorJSON

/// Watches the sound server through libpulse (PulseAudio, or PipeWire through
/// pipewire-pulse): its devices, the programs that record, and voice on the
/// call page's microphone. Only derived signals leave it, never samples.
public final class AudioPlugin: Plugin {
    public static let description = PluginDescription(
        id: "audio", name: "Audio", version: "0.1.0",
        summary: "Reports voice activity, the programs that record audio and the sound server's devices (virtual ones marked).",
        topics: ["audio.devices", "audio.capture", "audio.voice"],
        configSchema: AudioSettings.schema)

    private let host: PluginHost
    private let settings: AudioSettings
    private let voice: VoiceMonitor?
    private let watch: AudioWatch
    private var server: SoundServer?
    /// The page's choice of source (use_source); nil: the configured one.
    private var chosenSource: String?

    public init(host: PluginHost, config: JSONValue) throws {
        self.host = host
        settings = AudioSettings(config: config)
        voice = settings.voice ? try VoiceMonitor(host: host, settings: settings.detector, vadMode: settings.vadMode) : nil
        watch = AudioWatch(host: host, settings: settings, voice: voice)
    }

    public func start() throws {
        let server = try SoundServer(server: settings.server, reconnectMaxMs: settings.reconnectMaxMs) { [watch] event in
            watch.handle(event.pointee)
        }
        if voice != nil { server.record(from: chosenSource ?? settings.source) }
        try server.start()
        self.server = server
    }

    public func stop() {
        server?.stop()
        server = nil
    }

    public func handle(method: String, params: JSONValue?) throws -> JSONValue {
        switch method {
        case "status":
            var status = watch.status().objectValue ?? [:]
            status["voice"] = voice?.status ?? .null
            return .object(status)
        case "input_devices":
            return watch.inputDevices()
        case "remote_speech":
            guard let active = params?["active"]?.boolValue else {
                throw PluginRequestError.invalidParams("remote_speech needs {\"active\": true|false}")
            }
            guard let voice else { throw PluginRequestError(code: "voice_off", message: "voice activity is off (config voice: false)") }
            voice.remoteSpeech(active: active)
            return ["active": .bool(active)]
        case "use_source":
            return try useSource(params)
        default:
            throw PluginRequestError.unknownMethod(method)
        }
    }

    /// The page says which microphone it opened: by the browser's label
    /// (PulseAudio's description, which Chromium and Firefox show) or by
    /// name; `{"label": null}` goes back to the configured source.
    private func useSource(_ params: JSONValue?) throws -> JSONValue {
        guard voice != nil else { throw PluginRequestError(code: "voice_off", message: "voice activity is off (config voice: false)") }
        switch params?["label"] {
        case .string(let label):
            let found = watch.sources(labelled: label)
            guard let device = found.first else {
                throw PluginRequestError(code: "no_such_source", message: "no source is labelled or named \(JSONWriter.quoted(label))")
            }
            guard found.count == 1 else {
                throw PluginRequestError(code: "ambiguous_label", message: "\(found.count) sources are labelled \(JSONWriter.quoted(label)): \(found.map(\.name).joined(separator: ", ")); name one")
            }
            chosenSource = device.name
        case .null:
            chosenSource = nil
        default:
            throw PluginRequestError.invalidParams("use_source needs {\"label\": \"...\"} or {\"label\": null}")
        }
        let source = chosenSource ?? settings.source
        server?.record(from: source)
        return ["source": source.isEmpty ? .null : .string(source)]
    }
}
