import ProctorJSON
import Synchronization

/// Which display server a plugin chose at start, kept for its `status`
/// answer: set on the control thread, read on any.
public final class DisplayServerRecord: Sendable {
    private let chosen = Mutex<DisplayServer?>(nil)

    public init() {}

    public var server: DisplayServer? {
        get { chosen.withLock { $0 } }
        set { chosen.withLock { $0 = newValue } }
    }

    /// `status` with `display_server` added.
    public func adding(to status: JSONValue) -> JSONValue {
        guard case .object(var object) = status else { return status }
        object["display_server"] = server.map { .string($0.rawValue) } ?? .null
        return .object(object)
    }
}
