import PluginKit

/// What both X11 plugins do in `start` and `stop`: run their watcher's
/// session on a plugin thread of its own, with health and logs going to the host.
public final class X11SessionThread: Sendable {
    public let session: X11Session
    private let thread = PluginThread()

    /// Starts the session on a thread named `name` (shown by `top -H`).
    public init(_ watcher: any X11Watcher, settings: X11Settings, host: PluginHost, name: String) {
        let environment = settings.environment(ProcessEnvironment.current)
        // What is known before connecting is said during start, so the plugin's
        // first state is already degraded (the session repeats it; repeats are dropped).
        if let blind = environment.noDisplayReason ?? environment.waylandReason { host.reportHealth(degraded: blind) }
        let session = X11Session(
            environment: environment, watcher: watcher,
            backoff: settings.backoff, health: { host.reportHealth(degraded: $0) },
            log: { host.log($0 ? .warning : .info, $1) })
        self.session = session
        thread.start(name: name) { _ in session.run() }
    }

    /// Stops the session and joins its thread.
    public func stop() {
        session.stop()
        thread.stop()
    }
}

extension PluginHost {
    public func emit(_ event: OutgoingEvent) { emit(event.topic, event.data) }
}
