/// A program other than the call page's browser capturing the microphone
/// (`audio.capture`, from the audio plugin) for at least `min_s`; one alert per stream.
struct MicrophoneCapture: Condition {
    static let kind = "microphone_capture"
    static let summary = "audio.capture by a program other than the call page for min_s"
    static let parameters = [CommonParameters.minimumSeconds(default: 0, "the capture")]

    let topics = ["audio.capture"]
    var stateTopics: [String] { ["audio.capture"] }
    private let minimum: Int64
    private var streams: [String: (episode: Episode, program: String)] = [:]

    init(rule: GuidelineRule) { minimum = rule.milliseconds("min_s") }

    mutating func observe(_ event: Observed) -> [Finding] {
        guard event.data["call_page"]?.boolValue != true else { return [] }
        let stream = event.data["stream"]?.stringValue ?? ""
        let program = event.data["app"]?["process"]?.stringValue ?? event.data["app"]?["class"]?.stringValue ?? "a program"
        var entry = streams[stream] ?? (episode: Episode(key: stream, minimum: minimum), program: program)
        let name = entry.program
        let describe = { (s: Double) in "\(name) captured the microphone for \(s.seconds) s" }
        let out: [Finding]
        switch event.data["state"]?.stringValue {
        case "started": out = entry.episode.hold(at: event.time, seq: event.seq, describe: describe)
        case "stopped": out = entry.episode.release(at: event.time, seq: event.seq, describe: describe)
        default: out = []
        }
        streams[stream] = entry.episode.isHolding ? entry : nil
        return out
    }

    mutating func advance(to now: Timestamp) -> [Finding] {
        var out: [Finding] = []
        for stream in streams.keys.sorted() {
            let program = streams[stream]!.program
            out += streams[stream]!.episode.advance(to: now) { "\(program) captured the microphone for \($0.seconds) s" }
        }
        return out
    }
}
