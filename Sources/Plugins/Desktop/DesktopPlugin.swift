import Foundation
import PluginKit
import ProctorJSON
import X11Support

/// Reports clipboard and primary-selection use (owner, content types, size;
/// never the content unless configured), focus leaving and returning to the
/// call page, and windows opening and closing.
public final class DesktopPlugin: Plugin {
    public static let description = PluginDescription(
        id: "desktop",
        name: "Desktop",
        version: "1.0.0",
        summary: "Reports clipboard and primary-selection changes, window focus leaving the call page, and new windows.",
        topics: ["desktop.clipboard", "desktop.focus", "desktop.window"],
        configSchema: DesktopSettings.schema)

    private let host: PluginHost
    private let settings: DesktopSettings
    private let marker: String
    private var running: (session: X11Session, thread: PluginThread)?

    public init(host: PluginHost, config: JSONValue) throws {
        self.host = host
        settings = DesktopSettings(config: config)
        marker = CallPageMarker.forThisAgent()
    }

    public func start() throws {
        let host = self.host
        let watcher = DesktopWatcher(settings: settings, matcher: settings.x11.matcher(marker: marker)) {
            host.emit($0.topic, $0.data)
        }
        let session = X11Session(
            environment: settings.x11.environment(ProcessInfo.processInfo.environment), watcher: watcher,
            backoff: settings.x11.backoff, health: { host.reportHealth(degraded: $0) },
            log: { host.log($0 ? .warning : .info, $1) })
        let thread = PluginThread()
        thread.start(name: "desktop-x11") { _ in session.run() }
        running = (session, thread)
    }

    public func stop() {
        guard let running else { return }
        running.session.stop()
        running.thread.stop()
        self.running = nil
    }

    public func handle(method: String, params: JSONValue?) throws -> JSONValue {
        guard method == "window_marker" else { throw PluginRequestError.unknownMethod(method) }
        return ["marker": .string(marker)]
    }
}
