/// What a plugin plugs into a `WaylandSession`: every call comes on the
/// session's thread, the only thread that touches the connection.
public protocol WaylandWatcher: AnyObject {
    /// The connection is up (the first time or after the compositor came
    /// back); the current windows, outputs and selections are queued as events.
    func attach(_ connection: WaylandConnection, now: Double)

    /// What the plugin cannot see on this compositor, [] when it sees
    /// everything it needs. A change is reported to the host as health.
    var problems: [String] { get }

    func handle(_ event: WaylandEvent, now: Double)

    /// When `deadlineReached` is due (on the session's clock), nil for never.
    var nextDeadline: Double? { get }

    func deadlineReached(now: Double)

    /// The connection is gone: `lost` when the compositor went away, false
    /// when the plugin is stopping.
    func detach(now: Double, lost: Bool)
}

/// A watcher may wait for descriptors of its own (pipes a clipboard owner
/// writes into); most wait for none.
public protocol WaylandDescriptorWatcher: WaylandWatcher {
    /// Descriptors to wake for when readable (or closed by the writer).
    var descriptors: [Int32] { get }
    func readable(_ fd: Int32, now: Double)
}
