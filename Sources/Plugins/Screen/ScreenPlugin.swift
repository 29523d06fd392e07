import PluginKit
import ProctorJSON
import Synchronization
import WaylandSupport
import X11Support

/// Keeps the call page's browser window full screen at the window-manager
/// level (X11 with an EWMH window manager, or a wlroots Wayland compositor),
/// reports when it leaves full screen, is minimised or covered, which
/// kind of full screen holds (the page's own or only the window's), and
/// reports the monitors and what the page says about its screen share.
public final class ScreenPlugin: Plugin {
    public static let description = PluginDescription(
        id: "screen",
        name: "Screen",
        version: "1.0.0",
        summary: "Keeps the call page full screen (re-asserting it with backoff and a limit) and reports monitors and screen sharing.",
        topics: ["screen.fullscreen", "screen.reactivated", "screen.covered", "screen.monitors", "screen.share"],
        configSchema: ScreenSettings.schema)

    private let host: PluginHost
    private let settings: ScreenSettings
    private let marker: String
    private let status = ScreenStatus()
    private let share = Mutex<ShareState?>(nil)
    private let page = Mutex<PageState?>(nil)
    private var running: (session: any DisplaySession, watcher: any ScreenDisplayWatcher)?

    public init(host: PluginHost, config: JSONValue) throws {
        self.host = host
        settings = ScreenSettings(config: config)
        marker = CallPageMarker.forThisAgent()
    }

    public func start() throws {
        let host = self.host
        let matcher = settings.x11.matcher(marker: marker)
        let server = settings.x11.server(ProcessEnvironment.current)
        status.displayServer.server = server
        let watcher: any ScreenDisplayWatcher
        let session: any DisplaySession
        switch server {
        case .x11:
            let x11 = ScreenWatcher(settings: settings, matcher: matcher, status: status) { host.emit($0) }
            watcher = x11
            session = X11SessionThread(x11, settings: settings.x11, host: host, name: "screen-x11")
        case .wayland:
            let wayland = WaylandScreenWatcher(settings: settings, matcher: matcher, status: status) { host.emit($0) }
            watcher = wayland
            session = WaylandSessionThread(wayland, settings: settings.x11, host: host, name: "screen-wayland")
        }
        running = (session, watcher)
        if settings.enforcement == .whileSharing, let shared = share.withLock({ $0 }) {
            session.post { watcher.setEnforcement(shared.active, now: $0) }
        }
        if let reported = page.withLock({ $0 }) {
            session.post { watcher.pageReported(reported, now: $0) }
        }
    }

    public func stop() {
        running?.session.stop()
        running = nil
    }

    public func handle(method: String, params: JSONValue?) throws -> JSONValue {
        switch method {
        case "window_marker":
            return ["marker": .string(marker),
                    "usage": "put the marker anywhere in document.title; the agent follows the window through title changes"]
        case "share_state":
            return try recordShare(params)
        case "page_state":
            let reported = try PageState.parse(params)
            page.withLock { $0 = reported }
            if let running {
                let watcher = running.watcher
                running.session.post { watcher.pageReported(reported, now: $0) }
            }
            return ["recorded": true]
        case "status":
            var answer = status.json
            if case .object(var object) = answer {
                object["marker"] = .string(marker)
                object["share"] = share.withLock { $0 }.map { $0.event(change: "current").data } ?? .null
                answer = .object(object)
            }
            return answer
        default:
            throw PluginRequestError.unknownMethod(method)
        }
    }

    private func recordShare(_ params: JSONValue?) throws -> JSONValue {
        let reported = try ShareState.parse(params)
        let change = share.withLock { previous in
            defer { previous = reported }
            return reported.change(from: previous)
        }
        if let change {
            let event = reported.event(change: change)
            host.emit(event)
        }
        if settings.enforcement == .whileSharing, let running {
            let watcher = running.watcher
            running.session.post { watcher.setEnforcement(reported.active, now: $0) }
        }
        return ["recorded": true, "change": change.map(JSONValue.string) ?? .null,
                "full_screen_share": .bool(reported.isFullScreenShare)]
    }
}
