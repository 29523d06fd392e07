#if canImport(Glibc)
import Glibc
#endif
import ProctorJSON

/// The session plugin's config, read once at create.
struct SessionSettings: Sendable {
    /// The buses' D-Bus addresses; nil: that bus is not watched ("none").
    var sessionBus: String?
    var systemBus: String?
    var reconnectMaxMs: Int
    var notifications: Bool
    var icon: String
    var maxPerMinute: Int
    var duplicateWindowSeconds: Double
    var expireMs: Int

    static let appName = "proctord"

    init(config: JSONValue, environment: (String) -> String? = { getenv($0).map { String(cString: $0) } }) {
        sessionBus = Self.address(config["session_bus"]?.stringValue ?? "") {
            if let set = environment("DBUS_SESSION_BUS_ADDRESS"), !set.isEmpty { return set }
            // What libdbus itself falls back to, without its X11 autolaunch.
            return environment("XDG_RUNTIME_DIR").map { "unix:path=\($0)/bus" } ?? "unix:path=/run/user/\(getuid())/bus"
        }
        systemBus = Self.address(config["system_bus"]?.stringValue ?? "") {
            if let set = environment("DBUS_SYSTEM_BUS_ADDRESS"), !set.isEmpty { return set }
            return "unix:path=/run/dbus/system_bus_socket"
        }
        reconnectMaxMs = config["reconnect_max_ms"]?.intValue ?? 5000
        notifications = config["notifications"]?.boolValue ?? true
        icon = config["icon"]?.stringValue ?? "security-high"
        maxPerMinute = config["max_per_minute"]?.intValue ?? 6
        duplicateWindowSeconds = config["duplicate_window_s"]?.doubleValue ?? 120
        expireMs = config["expire_ms"]?.intValue ?? -1
    }

    private static func address(_ configured: String, default fallback: () -> String) -> String? {
        switch configured {
        case "none": return nil
        case "": return fallback()
        default: return configured
        }
    }

    static let schema: JSONValue = [
        "type": "object",
        "additionalProperties": false,
        "properties": [
            "session_bus": [
                "type": "string", "default": "",
                "description": "The session bus's D-Bus address; empty: $DBUS_SESSION_BUS_ADDRESS, then unix:path=$XDG_RUNTIME_DIR/bus (unix:path=/run/user/<uid>/bus without it); \"none\": not watched (no screensaver, no notifications).",
            ],
            "system_bus": [
                "type": "string", "default": "",
                "description": "The system bus's D-Bus address (logind); empty: $DBUS_SYSTEM_BUS_ADDRESS, then unix:path=/run/dbus/system_bus_socket; \"none\": not watched.",
            ],
            "reconnect_max_ms": [
                "type": "integer", "minimum": 250, "maximum": 600_000, "default": 5000,
                "description": "The longest wait between attempts to reach a bus that is gone (from 250 ms, doubling).",
            ],
            "notifications": [
                "type": "boolean", "default": true,
                "description": "Show desktop notifications when the agent or a paired page asks (the notify request).",
            ],
            "icon": [
                "type": "string", "minLength": 1, "maxLength": 200, "default": "security-high",
                "description": "The notifications' icon: a freedesktop icon name or a file:// URI.",
            ],
            "max_per_minute": [
                "type": "integer", "minimum": 1, "maximum": 60, "default": 6,
                "description": "At most this many notifications in any 60 s; more are refused (rate_limited), not queued. The agent's own notices and the pages' have this budget each.",
            ],
            "duplicate_window_s": [
                "type": "number", "minimum": 0, "maximum": 86400, "default": 120,
                "description": "A notification with the same key (or, without one, the same title and text) within this many seconds of the last one shown is not shown again.",
            ],
            "expire_ms": [
                "type": "integer", "minimum": -1, "maximum": 600_000, "default": -1,
                "description": "How long a notification stays up, unless the request says; -1: the notification server's default, 0: until dismissed.",
            ],
        ],
    ]
}
