/// What a plugin plugs into an `X11Session`: every call comes on the
/// session's thread, the only thread that touches the connection.
public protocol X11Watcher: AnyObject {
    /// The connection is up (the first time or after the server came back):
    /// select events, read the current state, emit what a client should know.
    func attach(_ connection: X11Connection, now: Double)

    /// What the plugin cannot see on this server (a missing extension, no
    /// window manager), [] when it sees everything it needs. Read after every
    /// batch of events; a change is reported to the host as health.
    var problems: [String] { get }

    func handle(_ event: X11Event, now: Double)

    /// When `deadlineReached` is due (on the session's clock), nil for never.
    var nextDeadline: Double? { get }

    func deadlineReached(now: Double)

    /// The connection is gone: `lost` when the server went away, false when
    /// the plugin is stopping. The watcher drops everything it held on it.
    func detach(now: Double, lost: Bool)
}
