import PluginKit
import ProctorJSON
import X11Support

/// What the page reports about its screen share (`getDisplayMedia`): whether
/// a share is active and what it shares (`displaySurface`: "monitor",
/// "window" or "browser").
struct ShareState: Equatable, Sendable {
    static let surfaces = ["monitor", "window", "browser"]

    var active: Bool
    var surface: String?

    /// A whole monitor is shared, as the interview asks.
    var isFullScreenShare: Bool { active && surface == "monitor" }

    /// Reads `{"active": bool, "display_surface": "monitor" | "window" | "browser" | null}`
    /// (`displaySurface`, as the track's getSettings() names it, is read too).
    static func parse(_ params: JSONValue?) throws(PluginRequestError) -> ShareState {
        guard let active = params?["active"]?.boolValue else {
            throw .invalidParams("share_state needs {\"active\": true|false, \"display_surface\": \"monitor\"|\"window\"|\"browser\"}")
        }
        let surface = params?["display_surface"] ?? params?["displaySurface"]
        switch surface {
        case nil, .null?: return ShareState(active: active, surface: nil)
        case .string(let name)? where surfaces.contains(name): return ShareState(active: active, surface: name)
        default:
            throw .invalidParams("display_surface must be one of \(surfaces.joined(separator: ", ")) or null, got \(JSONWriter.compact(surface!))")
        }
    }

    /// What changed since `previous` ("initial" for the first report); nil when nothing did.
    func change(from previous: ShareState?) -> String? {
        guard let previous else { return "initial" }
        if previous == self { return nil }
        if active != previous.active { return active ? "started" : "stopped" }
        return "surface_changed"
    }

    func event(change: String) -> OutgoingEvent {
        OutgoingEvent("screen.share", [
            "active": .bool(active), "display_surface": surface.map(JSONValue.string) ?? .null,
            "full_screen_share": .bool(isFullScreenShare), "change": .string(change),
        ])
    }
}
