import ProctorJSON
import Synchronization
import X11Support

/// What the desktop plugin sees now, for the `status` request: written on
/// the session's thread, read on the control thread.
final class DesktopStatus: Sendable {
    struct Snapshot: Sendable {
        var connected = false
        var windows = 0
        var callPages = 0

        var json: JSONValue {
            ["connected": .bool(connected), "windows": .number(Double(windows)), "call_pages": .number(Double(callPages))]
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
