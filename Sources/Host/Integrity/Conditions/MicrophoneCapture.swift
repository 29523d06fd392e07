/// A program other than the call page's browser capturing the microphone
/// (`audio.capture`, from the audio plugin) for at least `min_s`; one alert per stream.
struct MicrophoneCapture: Condition {
    static let kind = "microphone_capture"
    static let summary = "audio.capture by a program other than the call page for min_s"
    static let parameters = [CommonParameters.minimumSeconds(default: 0, "the capture")]

    let topics = ["audio.capture"]
    var stateTopics: [String] { ["audio.capture"] }
    private var streams: KeyedEpisodes

    init(rule: GuidelineRule) {
        streams = KeyedEpisodes(minimum: rule.milliseconds("min_s")) { _, program, seconds in
            "\(program) captured the microphone for \(seconds.seconds) s"
        }
    }

    mutating func observe(_ event: Observed) -> [Finding] {
        guard event.data["call_page"]?.boolValue != true else { return [] }
        let stream = event.data["stream"]?.stringValue ?? ""
        switch event.data["state"]?.stringValue {
        case "started":
            let program = event.data["app"]?["process"]?.stringValue ?? event.data["app"]?["class"]?.stringValue ?? "a program"
            return streams.hold(stream, label: program, at: event.time, seq: event.seq)
        case "stopped": return streams.release(stream, at: event.time, seq: event.seq)
        default: return []
        }
    }

    mutating func advance(to now: Timestamp) -> [Finding] { streams.advance(to: now) }
}
