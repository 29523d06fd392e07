import ProctorJSON

/// The settings both display plugins share: which display server and
/// display, how patiently to reconnect, and how to recognise the call page
/// besides its title marker.
public struct X11Settings: Equatable, Sendable {
    /// "auto", "x11" or "wayland": see `DisplayServer.choose`.
    public var displayServer: String
    public var display: String
    public var waylandDisplay: String
    public var reconnectMaxMilliseconds: Int
    public var callPageClass: String
    public var callPageProcessID: Int32

    public init(config: JSONValue) {
        displayServer = config["display_server"]?.stringValue ?? "auto"
        display = config["display"]?.stringValue ?? ""
        waylandDisplay = config["wayland_display"]?.stringValue ?? ""
        reconnectMaxMilliseconds = config["reconnect_max_ms"]?.intValue ?? 5000
        callPageClass = config["call_page_wm_class"]?.stringValue ?? ""
        callPageProcessID = Int32(config["call_page_pid"]?.intValue ?? 0)
    }

    /// The schema of these settings, to merge into each plugin's config schema.
    public static let schemaProperties: [(String, JSONValue)] = [
        ("display_server", Setting.choice(["auto", "x11", "wayland"], default: "auto",
            "Which display server to watch. auto: Wayland when wayland_display is set, else X11 when display is set, else Wayland when $WAYLAND_DISPLAY is set, else X11.")),
        ("wayland_display", Setting.string(default: "", maxLength: 4096,
            "The Wayland socket to watch: a name in $XDG_RUNTIME_DIR (eg \"wayland-1\") or an absolute path; empty means the agent's $WAYLAND_DISPLAY.")),
        ("display", Setting.string(default: "", "The X display to watch, eg \":0\"; empty means the agent's $DISPLAY.")),
        ("reconnect_max_ms", Setting.integer(250...600_000, default: 5000,
            "Longest wait between attempts to reach an X server or Wayland compositor that went away (the wait doubles from 250 ms).")),
        ("call_page_wm_class", Setting.string(default: "",
            "Also treat windows with this WM_CLASS (instance or class name, any case; on Wayland the app id) as the call page; empty: only the title marker.")),
        ("call_page_pid", Setting.integer(0...4_194_304, default: 0,
            "Also treat windows of this process (_NET_WM_PID, or the X server's record of the client's process when the window sets none) as the call page (with call_page_wm_class, both must match); 0: not used. Wayland gives no process ids: there this never matches.")),
    ]

    /// A config schema: these settings plus the plugin's own, no others allowed.
    public static func configSchema(_ own: [(String, JSONValue)]) -> JSONValue {
        var properties = JSONObject()
        for (name, schema) in schemaProperties + own { properties[name] = schema }
        return ["type": "object", "additionalProperties": false, "properties": .object(properties)]
    }

    /// The display server to watch in this process environment.
    public func server(_ env: [String: String]) -> DisplayServer {
        DisplayServer.choose(configured: displayServer, x11Display: display, waylandDisplay: waylandDisplay, environment: env)
    }

    public func environment(_ env: [String: String]) -> DisplayEnvironment {
        DisplayEnvironment.resolve(configured: display, environment: env)
    }

    public func matcher(marker: String) -> CallPageMatcher {
        CallPageMatcher(marker: marker, windowClass: callPageClass, processID: callPageProcessID)
    }

    public var backoff: ReconnectBackoff {
        ReconnectBackoff(initial: 0.25, maximum: Double(reconnectMaxMilliseconds) / 1000)
    }
}
