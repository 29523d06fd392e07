/// Where the plugins can and cannot see, decided from the config and the
/// process environment before any connection is tried.
public struct DisplayEnvironment: Equatable, Sendable {
    /// The X display to connect to, nil when there is none.
    public var display: String?
    /// Set in a Wayland session: what gives it away (eg "WAYLAND_DISPLAY=wayland-0").
    public var waylandSign: String?

    public init(display: String?, waylandSign: String?) {
        self.display = display
        self.waylandSign = waylandSign
    }

    /// `configured` (the plugin's "display" setting) wins over $DISPLAY.
    public static func resolve(configured: String, environment: [String: String]) -> DisplayEnvironment {
        let display = configured.isEmpty ? environment["DISPLAY"].flatMap { $0.isEmpty ? nil : $0 } : configured
        var sign: String?
        if let type = environment["XDG_SESSION_TYPE"], type.lowercased() == "wayland" {
            sign = "XDG_SESSION_TYPE=wayland"
        } else if let socket = environment["WAYLAND_DISPLAY"], !socket.isEmpty {
            sign = "WAYLAND_DISPLAY=\(socket)"
        }
        return DisplayEnvironment(display: display, waylandSign: sign)
    }

    /// Why nothing can be watched at all, or nil when there is a display.
    public var noDisplayReason: String? {
        guard display == nil else { return nil }
        return "no X display: DISPLAY is not set and the config names none (\"display\"), so no window can be seen"
    }

    /// What a Wayland session hides from an X client, or nil outside Wayland.
    public var waylandReason: String? {
        waylandSign.map {
            "Wayland session (\($0)): only XWayland windows are visible; native Wayland windows, their focus and their clipboard use are not seen"
        }
    }
}
