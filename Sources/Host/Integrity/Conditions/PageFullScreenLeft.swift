/// The call page says it left the browser's full screen (`page.fullscreen`,
/// after it had held it) and did not return within `min_s`, while no plugin
/// sees the call page's window (`screen.fullscreen` from a running plugin).
/// A page that never held full screen is not counted. One alert per page.
struct PageFullScreenLeft: Condition {
    static let kind = "page_fullscreen_left"
    static let summary = "page.fullscreen left after it was held, for min_s, while no running plugin publishes screen.fullscreen"
    static let parameters = [CommonParameters.minimumSeconds(default: 5, "the page reporting itself out of full screen")]

    let topics = ["page.fullscreen", "screen.fullscreen", SourceWatch.topic]
    var stateTopics: [String] { ["page.fullscreen", "screen.fullscreen"] }

    private struct Page: Sendable {
        var held = false
        var full = false
    }

    private var pages: PageStates<Page>

    init(rule: GuidelineRule) {
        pages = PageStates(minimum: rule.milliseconds("min_s"), desktopTopics: ["screen.fullscreen"], counted: { page in
            page.held && !page.full ? "out of full screen" : nil
        }, words: { _, label, seconds in
            "the call page reported itself \(label) for \(seconds.seconds) s (the page's own report: no plugin sees its window on this desktop)"
        })
    }

    mutating func observe(_ event: Observed) -> [Finding] {
        guard event.topic.hasPrefix("page.") else { return pages.desktop(event) }
        guard let session = event.data["session"]?.stringValue, let full = event.data["full_screen"]?.boolValue else { return [] }
        var page = pages.state(of: session) ?? Page()
        page.full = full
        page.held = page.held || full
        return pages.update(session, to: page, event: event)
    }

    mutating func advance(to now: Timestamp) -> [Finding] { pages.advance(to: now) }
}
