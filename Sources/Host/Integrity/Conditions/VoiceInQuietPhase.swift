/// The interviewee's voice (`audio.voice`, from the audio plugin) for at least
/// `min_s` while the page marks a quiet phase: an `interview.phase` whose name
/// is in `phases` or that says `"quiet": true`.
struct VoiceInQuietPhase: Condition {
    static let kind = "voice_in_quiet_phase"
    static let summary = "audio.voice during a quiet interview.phase for min_s"
    static let parameters = [
        CommonParameters.minimumSeconds(default: 2, "the voice"),
        ConditionParameter(name: "phases", schema: [
            "type": "array", "items": ["type": "string", "minLength": 1, "maxLength": 200], "default": ["quiet"],
            "description": "Phase names that are quiet, besides phases marked quiet.",
        ], stricter: .superset),
    ]

    let topics = ["audio.voice", "interview.phase"]
    var stateTopics: [String] { ["interview.phase"] }
    private let quietNames: Set<String>
    private var episode: Episode
    private var phase: String?
    private var voice = false

    init(rule: GuidelineRule) {
        quietNames = Set(rule.strings("phases"))
        episode = Episode(minimum: rule.milliseconds("min_s"))
    }

    mutating func observe(_ event: Observed) -> [Finding] {
        if event.topic == "interview.phase" {
            let name = event.data["name"]?.stringValue ?? ""
            let quiet = event.data["quiet"]?.boolValue == true || quietNames.contains(name)
            let out = episode.release(at: event.time, seq: event.seq, describe: describe)
            phase = quiet ? name : nil
            return out + (voice && quiet ? episode.hold(at: event.time, seq: event.seq, describe: describe) : [])
        }
        switch event.data["state"]?.stringValue {
        case "started":
            voice = true
            return phase == nil ? [] : episode.hold(at: event.time, seq: event.seq, describe: describe)
        case "stopped":
            voice = false
            return episode.release(at: event.time, seq: event.seq, describe: describe)
        default: return []
        }
    }

    mutating func advance(to now: Timestamp) -> [Finding] { episode.advance(to: now, describe: describe) }

    private var describe: (Double) -> String {
        let phase = self.phase ?? ""
        return { "a voice for \($0.seconds) s during the quiet phase \"\(phase)\"" }
    }
}
