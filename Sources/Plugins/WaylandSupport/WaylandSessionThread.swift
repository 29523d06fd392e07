import PluginKit
import X11Support

/// A plugin's Wayland session on a thread of its own, with health and logs going to the host.
public final class WaylandSessionThread: DisplaySession {
    public let session: WaylandSession
    private let thread = PluginThread()

    public init(_ watcher: any WaylandWatcher, settings: X11Settings, host: PluginHost, name: String) {
        let session = WaylandSession(
            display: settings.waylandDisplay.isEmpty ? nil : settings.waylandDisplay, watcher: watcher,
            backoff: settings.backoff, health: { host.reportHealth(degraded: $0) },
            log: { host.log($0 ? .warning : .info, $1) })
        self.session = session
        thread.start(name: name) { _ in session.run() }
    }

    public func post(_ work: @escaping @Sendable (Double) -> Void) { session.post(work) }

    public func stop() {
        session.stop()
        thread.stop()
    }
}
