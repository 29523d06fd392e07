import AudioPulse
import ProctorJSON

/// A program recording from a source (a PulseAudio source-output).
struct AudioCapture: Sendable, Equatable {
    var index: UInt32
    var application: String?
    var binary: String?
    var pid: Int32?
    var sourceIndex: UInt32
    /// The module recording, when it is one (a remap or loopback source reading its master).
    var module: String?

    init(_ e: audio_pulse_event_t) {
        index = e.index
        application = audio_pulse_event_t.string(e.app_name)
        binary = audio_pulse_event_t.string(e.app_binary)
        pid = e.pid >= 0 ? e.pid : nil
        sourceIndex = e.source_index
        module = e.owner_module == AUDIO_PULSE_NO_INDEX ? nil
            : AudioDevice.module(driver: audio_pulse_event_t.string(e.driver), factory: nil,
                                 moduleName: audio_pulse_event_t.string(e.module_name))
    }

    /// Whether it records from a source now. PipeWire makes a stream before
    /// WirePlumber links it to a source (and a remap source's stream is
    /// linked only while the remap source is used): until then it records
    /// nothing, and it is reported once it does.
    var isRecording: Bool { sourceIndex != AUDIO_PULSE_NO_INDEX }

    /// `state` is started or stopped; `source` the device it records from,
    /// when known; `voiceSource` the call page's microphone, once the page named it.
    func json(state: String, source: AudioDevice?, voiceSource: String?, browserBinaries: Set<String>, reason: String? = nil) -> JSONValue {
        let monitor = source?.monitorOf != nil
        let browser = binary.map { browserBinaries.contains($0.lowercased()) } == true
        var data: JSONObject = [
            "state": .string(state), "index": .number(Double(index)),
            "application": application.map(JSONValue.string) ?? .null, "binary": binary.map(JSONValue.string) ?? .null,
            "pid": pid.map { .number(Double($0)) } ?? .null,
            "source": source.map { .string($0.name) } ?? .null, "source_is_monitor": .bool(monitor),
            "module": module.map(JSONValue.string) ?? .null,
            // A heuristic: a browser recording a microphone (not a monitor), and
            // once the page has named its microphone, that one, is probably the
            // call page; another browser tab or window would look the same.
            "call_page_candidate": .bool(browser && !monitor && (voiceSource == nil || voiceSource == source?.name)),
        ]
        if let reason { data["reason"] = .string(reason) }
        return .object(data)
    }
}
