import ProctorJSON
import Synchronization
import X11Support

/// What the screen plugin last saw, for the `status` request: written on the
/// session's thread, read on the control thread.
final class ScreenStatus: Sendable {
    struct Snapshot: Sendable {
        var connected = false
        var window: WindowID?
        var fullScreen = false
        var kind: FullscreenKind?
        var page: PageState?
        /// How often full screen was taken off and on to show a page Chromium left hidden.
        var pageRefreshes = 0
        var violation: Violation?
        var enforcing = false
        var attemptsInWindow = 0
        var monitors = 0

        var json: JSONValue {
            ["connected": .bool(connected), "window": window.map { .string($0.description) } ?? .null,
             "full_screen": .bool(fullScreen), "kind": kind.json, "page": page?.json ?? .null,
             "page_refreshes": .number(Double(pageRefreshes)), "violation": violation.map { .string($0.rawValue) } ?? .null,
             "enforcing": .bool(enforcing), "attempts_in_window": .number(Double(attemptsInWindow)),
             "monitors": .number(Double(monitors))]
        }
    }

    private let snapshot = Mutex(Snapshot())
    /// Which display server the plugin watches, chosen at start.
    let displayServer = DisplayServerRecord()

    /// The snapshot for the `status` request, with the display server.
    var json: JSONValue { displayServer.adding(to: current.json) }

    func set(_ value: Snapshot) { snapshot.withLock { $0 = value } }
    var current: Snapshot { snapshot.withLock { $0 } }
}
