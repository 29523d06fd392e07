import ProctorJSON

/// The interviewer's assistant: turns raised alerts into short notes the
/// interviewer can act on (`assist`), worded as a suggestion, never as a
/// verdict, each citing its alert. At most one note per `spacing`, and the
/// same rule in the same phase at most once per `repeat`.
public struct Assistant: Sendable {
    private let kinds: [String: String]  // rule id -> kind
    private let spacing: Int64
    private let repeatAfter: Int64
    private var phase: String?
    private var lastNote: Int64?
    private var lastByRule: [String: Int64] = [:]

    public init(guidelines: Guidelines, spacingSeconds: Double = 20, repeatSeconds: Double = 300) {
        kinds = Dictionary(guidelines.rules.map { ($0.id, $0.kind) }, uniquingKeysWith: { a, _ in a })
        spacing = Int64(spacingSeconds * 1000)
        repeatAfter = Int64(repeatSeconds * 1000)
    }

    /// The page marked a phase (`interview.phase`).
    public mutating func phase(_ data: JSONValue) { phase = data["name"]?.stringValue }

    /// A note for `alert` (an `alert` event's data) at `now`, or nil: only
    /// raised alerts, and only when the rate limit and de-duplication allow.
    public mutating func note(for alert: JSONValue, at now: Timestamp) -> JSONValue? {
        guard alert["state"] == "raised", let id = alert["alert"]?.stringValue, let rule = alert["rule"]?.stringValue,
            let message = alert["message"]?.stringValue else { return nil }
        let ms = now.millisecondsSinceEpoch
        let key = rule + "\u{0}" + (phase ?? "")
        if let last = lastNote, ms - last < spacing { return nil }
        if let last = lastByRule[key], ms - last < repeatAfter { return nil }
        lastNote = ms
        lastByRule[key] = ms
        let during = phase.map { " during \($0)" } ?? ""
        let text = message.prefix(1).uppercased() + message.dropFirst() + during + ": " + Self.suggestion(kinds[rule] ?? "")
        var note: JSONObject = ["note": .string(text), "alert": .string(id), "rule": .string(rule),
                                "severity": alert["severity"] ?? "low"]
        if let phase { note["phase"] = .string(phase) }
        if let interview = alert["interview"] { note["interview"] = interview }
        return .object(note)
    }

    /// What the interviewer might do, by kind: a question or a request, never a judgement.
    public static func suggestionText(_ kind: String) -> String { suggestion(kind) }

    static func suggestion(_ kind: String) -> String {
        switch kind {
        case "look_away": "consider asking the candidate what drew their eyes away."
        case "repeated_glances": "consider asking the candidate to show their desk."
        case "face_absent": "consider checking that the camera still shows the candidate."
        case "multiple_faces": "consider asking whether someone else is in the room."
        case "voice_in_quiet_phase": "consider reminding the candidate that this part is silent."
        case "microphone_capture": "consider asking the candidate which program uses the microphone."
        case "clipboard_then_focus": "consider asking the candidate to talk through their answer."
        case "focus_away", "page_away": "consider asking the candidate to bring the call page back to the front."
        case "fullscreen_left", "page_fullscreen_left": "consider asking the candidate to return to full screen."
        case "share_not_monitor": "consider asking the candidate to share a whole screen again."
        case "extra_monitor": "consider asking the candidate to show or disconnect the other monitor."
        case "plugin_down", "heartbeat_gap": "the agent could not observe meanwhile; consider checking with the candidate that it runs."
        default: "consider asking the candidate about it."
        }
    }
}
