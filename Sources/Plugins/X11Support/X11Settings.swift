import ProctorJSON

/// The settings both X11 plugins share: which display, how patiently to
/// reconnect, and how to recognise the call page besides its title marker.
public struct X11Settings: Equatable, Sendable {
    public var display: String
    public var reconnectMaxMilliseconds: Int
    public var callPageClass: String
    public var callPageProcessID: Int32

    public init(config: JSONValue) {
        display = config["display"]?.stringValue ?? ""
        reconnectMaxMilliseconds = config["reconnect_max_ms"]?.intValue ?? 5000
        callPageClass = config["call_page_wm_class"]?.stringValue ?? ""
        callPageProcessID = Int32(config["call_page_pid"]?.intValue ?? 0)
    }

    /// The schema of these settings, to merge into each plugin's config schema.
    public static let schemaProperties: [(String, JSONValue)] = [
        ("display", Setting.string(default: "", "The X display to watch, eg \":0\"; empty means the agent's $DISPLAY.")),
        ("reconnect_max_ms", Setting.integer(250...600_000, default: 5000,
            "Longest wait between attempts to reach an X server that went away (the wait doubles from 250 ms).")),
        ("call_page_wm_class", Setting.string(default: "",
            "Also treat windows with this WM_CLASS (instance or class name, any case) as the call page; empty: only the title marker.")),
        ("call_page_pid", Setting.integer(0...4_194_304, default: 0,
            "Also treat windows of this process (_NET_WM_PID, or the X server's record of the client's process when the window sets none) as the call page (with call_page_wm_class, both must match); 0: not used.")),
    ]

    /// A config schema: these settings plus the plugin's own, no others allowed.
    public static func configSchema(_ own: [(String, JSONValue)]) -> JSONValue {
        var properties = JSONObject()
        for (name, schema) in schemaProperties + own { properties[name] = schema }
        return ["type": "object", "additionalProperties": false, "properties": .object(properties)]
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
