import PluginKit
import ProctorJSON
import WaylandSupport
import X11Support

/// Reports clipboard and primary-selection use (owner, content types, size;
/// never the content unless configured), focus leaving and returning to the
/// call page, and windows opening and closing; on X11, or on a wlroots
/// Wayland compositor.
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
    private let status = DesktopStatus()
    private var running: (any DisplaySession)?

    public init(host: PluginHost, config: JSONValue) throws {
        self.host = host
        settings = DesktopSettings(config: config)
        marker = CallPageMarker.forThisAgent()
    }

    public func start() throws {
        let host = self.host
        let matcher = settings.x11.matcher(marker: marker)
        let server = settings.x11.server(ProcessEnvironment.current)
        status.displayServer.server = server
        switch server {
        case .x11:
            let watcher = DesktopWatcher(settings: settings, matcher: matcher, status: status) { host.emit($0) }
            running = X11SessionThread(watcher, settings: settings.x11, host: host, name: "desktop-x11")
        case .wayland:
            let watcher = WaylandDesktopWatcher(settings: settings, matcher: matcher, status: status) { host.emit($0) }
            running = WaylandSessionThread(watcher, settings: settings.x11, host: host, name: "desktop-wayland")
        }
    }

    public func stop() {
        running?.stop()
        running = nil
    }

    public func handle(method: String, params: JSONValue?) throws -> JSONValue {
        switch method {
        case "window_marker": return ["marker": .string(marker)]
        case "status": return status.json
        default: throw PluginRequestError.unknownMethod(method)
        }
    }
}
