/// The clipboard taken by another application (`desktop.clipboard`, owner
/// not the call page), then focus back on the call page (`desktop.focus`)
/// within `within_s`: what a paste of copied text looks like. One moment,
/// so the alert is raised and resolved at once; evidence: both events.
struct ClipboardThenFocus: Condition {
    static let kind = "clipboard_then_focus"
    static let summary = "desktop.clipboard owned by another application, then desktop.focus on the call page within within_s"
    static let parameters = [
        ConditionParameter(name: "within_s", schema: ["type": "number", "minimum": 0, "maximum": 3600, "default": 15,
                                                      "description": "Seconds from the copy to the call page's focus."], stricter: .higher),
    ]

    let topics = ["desktop.clipboard", "desktop.focus"]
    private let within: Int64
    private var copied: (time: Timestamp, seq: UInt64, app: String)?
    private var moments = 0

    init(rule: GuidelineRule) { within = rule.milliseconds("within_s") }

    mutating func observe(_ event: Observed) -> [Finding] {
        guard !event.primed else { return [] }
        if event.topic == "desktop.clipboard" {
            guard event.data["selection"]?.stringValue == "clipboard", event.data["change"]?.stringValue == "owner_changed",
                event.data["call_page"]?.boolValue == false, let app = event.data["app"], app != .null
            else { return [] }
            copied = (event.time, event.seq, app["class"]?.stringValue ?? app["process"]?.stringValue ?? "another application")
            return []
        }
        guard event.data["call_page"]?.boolValue == true, let copy = copied else { return [] }
        copied = nil
        let after = event.time.seconds(since: copy.time)
        guard event.time.millisecondsSinceEpoch - copy.time.millisecondsSinceEpoch <= within else { return [] }
        moments += 1
        let key = String(moments)
        let message = "clipboard taken by \(copy.app), then focus back on the call page \(after.seconds) s later"
        return [.raise(key: key, at: copy.time, evidence: [copy.seq, event.seq], message: message),
                .resolve(key: key, at: event.time, evidence: [], message: message)]
    }
}
