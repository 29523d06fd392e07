import ProctorJSON
import X11Support

/// The screen plugin's config, read once at create.
struct ScreenSettings: Sendable {
    enum Enforcement: String, Sendable {
        case always
        /// Only while the page reports a screen share (`share_state`).
        case whileSharing = "while_sharing"
        case never
    }

    var x11: X11Settings
    var enforcement: Enforcement
    var policy: FullscreenEnforcer.Policy
    var tolerance: Int
    var coverThreshold: Double

    init(config: JSONValue) {
        x11 = X11Settings(config: config)
        enforcement = Enforcement(rawValue: config["enforce"]?.stringValue ?? "") ?? .always
        func seconds(_ key: String, _ fallback: Double) -> Double { (config[key]?.doubleValue ?? fallback * 1000) / 1000 }
        policy = FullscreenEnforcer.Policy(
            grace: seconds("grace_ms", 2), verify: seconds("verify_ms", 1.5),
            backoffInitial: seconds("backoff_initial_ms", 1), backoffMaximum: seconds("backoff_max_ms", 30),
            limit: config["attempt_limit"]?.intValue ?? 5, window: config["attempt_window_s"]?.doubleValue ?? 120)
        tolerance = config["geometry_tolerance_px"]?.intValue ?? 2
        coverThreshold = config["cover_min_fraction"]?.doubleValue ?? 0
    }

    static let schema = X11Settings.configSchema([
        ("enforce", [
            "enum": ["always", "while_sharing", "never"], "default": "always",
            "description": "When to put the call page back in full screen: always, only while the page reports a screen share, or never (only report).",
        ]),
        ("grace_ms", [
            "type": "integer", "minimum": 0, "maximum": 600_000, "default": 2000,
            "description": "How long the window may stay out of full screen, minimised or covered before the agent re-asserts it.",
        ]),
        ("verify_ms", [
            "type": "integer", "minimum": 100, "maximum": 60_000, "default": 1500,
            "description": "How long a re-assertion has to work before it counts as failed.",
        ]),
        ("backoff_initial_ms", [
            "type": "integer", "minimum": 0, "maximum": 600_000, "default": 1000,
            "description": "Extra wait before the second attempt within the window; it doubles with each further attempt.",
        ]),
        ("backoff_max_ms", [
            "type": "integer", "minimum": 0, "maximum": 3_600_000, "default": 30_000,
            "description": "The longest extra wait between attempts.",
        ]),
        ("attempt_limit", [
            "type": "integer", "minimum": 1, "maximum": 1000, "default": 5,
            "description": "At most this many re-assertions within attempt_window_s; then the agent holds back and says so.",
        ]),
        ("attempt_window_s", [
            "type": "number", "minimum": 1, "maximum": 86_400, "default": 120,
            "description": "The window over which attempts are counted.",
        ]),
        ("geometry_tolerance_px", [
            "type": "integer", "minimum": 0, "maximum": 64, "default": 2,
            "description": "How far each edge may be from the monitor's and still count as filling it.",
        ]),
        ("cover_min_fraction", [
            "type": "number", "minimum": 0, "maximum": 1, "default": 0,
            "description": "The call page counts as covered when more than this share of it lies under other windows (0: any overlap).",
        ]),
    ])
}
