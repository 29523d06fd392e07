/// The call page says it is hidden (`page.visibility`) or has lost focus
/// (`page.focus`) for at least `min_s`, while no plugin sees focus on the
/// desktop (`desktop.focus` from a running plugin): the page's own word, the
/// evidence left on a desktop that hides other windows. One alert per page.
struct PageAway: Condition {
    static let kind = "page_away"
    static let summary = "page.visibility hidden or page.focus blurred for min_s, while no running plugin publishes desktop.focus"
    static let parameters = [CommonParameters.minimumSeconds(default: 5, "the page reporting itself hidden or blurred")]

    let topics = ["page.visibility", "page.focus", "desktop.focus", SourceWatch.topic]
    var stateTopics: [String] { ["page.visibility", "page.focus", "desktop.focus"] }

    private struct Page: Sendable {
        var visible = true
        var focused = true
    }

    private var pages: PageStates<Page>

    init(rule: GuidelineRule) {
        pages = PageStates(minimum: rule.milliseconds("min_s"), desktopTopics: ["desktop.focus"], counted: { page in
            switch (page.visible, page.focused) {
            case (true, true): nil
            case (false, false): "hidden and out of focus"
            case (false, true): "hidden"
            case (true, false): "out of focus"
            }
        }, words: { _, label, seconds in
            "the call page reported itself \(label) for \(seconds.seconds) s (the page's own report: no plugin sees focus on this desktop)"
        })
    }

    mutating func observe(_ event: Observed) -> [Finding] {
        guard event.topic.hasPrefix("page.") else { return pages.desktop(event) }
        guard let session = event.data["session"]?.stringValue else { return [] }
        var page = pages.state(of: session) ?? Page()
        if let visible = event.data["visible"]?.boolValue { page.visible = visible }
        if let focused = event.data["focused"]?.boolValue { page.focused = focused }
        return pages.update(session, to: page, event: event)
    }

    mutating func advance(to now: Timestamp) -> [Finding] { pages.advance(to: now) }
}
