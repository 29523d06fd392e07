/// Whether a plugin sees on the desktop what a page reports of itself: some
/// plugin has published one of `topics` and is still running. While one does,
/// the page's own reports are not counted (no double counting); when none does
/// (no desktop plugin, or one degraded on a compositor that hides other
/// windows), the page's reports are the only evidence.
struct DesktopSight: Sendable {
    let topics: Set<String>
    private var publishers: Set<String> = []
    private var stopped: Set<String> = []

    init(topics: Set<String>) { self.topics = topics }

    var sees: Bool { !publishers.subtracting(stopped).isEmpty }

    /// Notes `event` (a desktop topic or `plugin.state`); true when it changed `sees`.
    mutating func observe(_ event: Observed) -> Bool {
        let before = sees
        if topics.contains(event.topic) {
            publishers.insert(event.plugin)
            stopped.remove(event.plugin)
        } else if event.topic == SourceWatch.topic, let plugin = event.data["plugin"]?.stringValue, publishers.contains(plugin) {
            if event.data["state"]?.stringValue == "running" { stopped.remove(plugin) } else { stopped.insert(plugin) }
        }
        return sees != before
    }
}
