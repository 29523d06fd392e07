/// Remembers which plugin publishes a condition's events, so that when it
/// stops seeing (degraded, crashed, stopped) what it last reported is closed
/// as "not observed" instead of lasting on as a finding.
struct SourceWatch: Sendable {
    private(set) var plugin: String?

    static let topic = "plugin.state"

    mutating func saw(_ event: Observed) {
        if event.topic != Self.topic { plugin = event.plugin }
    }

    /// True when `event` says the source plugin no longer sees.
    func lost(_ event: Observed) -> Bool {
        guard event.topic == Self.topic, let plugin, event.data["plugin"]?.stringValue == plugin else { return false }
        return event.data["state"]?.stringValue != "running"
    }
}
