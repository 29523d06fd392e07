/// A program other than the call page's browser recording sound (`audio.capture`,
/// from the audio plugin: a microphone, or the monitor of an output, which is how
/// a transcription assistant hears the interviewer) for at least `min_s`; one alert per stream.
struct MicrophoneCapture: Condition {
    static let kind = "microphone_capture"
    static let summary = "audio.capture by a program other than the call page for min_s"
    static let parameters = [CommonParameters.minimumSeconds(default: 0, "the capture")]

    let topics = ["audio.capture"]
    var stateTopics: [String] { ["audio.capture"] }
    private var streams: KeyedEpisodes

    init(rule: GuidelineRule) {
        streams = KeyedEpisodes(minimum: rule.milliseconds("min_s")) { _, program, seconds in
            "\(program) for \(seconds.seconds) s"
        }
    }

    mutating func observe(_ event: Observed) -> [Finding] {
        // The call page's own capture, and a module reading its master (a remap
        // or loopback source: a device, which the devices rules see), are not a program listening.
        guard event.data["call_page_candidate"]?.boolValue != true, event.data["module"]?.stringValue == nil else { return [] }
        let stream = event.data["index"]?.intValue.map(String.init) ?? ""
        switch event.data["state"]?.stringValue {
        case "started":
            let program = event.data["application"]?.stringValue ?? event.data["binary"]?.stringValue ?? "a program"
            let what = event.data["source_is_monitor"]?.boolValue == true ? "the sound of an output" : "the microphone"
            return streams.hold(stream, label: "\(program) recorded \(what)", at: event.time, seq: event.seq)
        case "stopped": return streams.release(stream, at: event.time, seq: event.seq)
        default: return []
        }
    }

    mutating func advance(to now: Timestamp) -> [Finding] { streams.advance(to: now) }
}
