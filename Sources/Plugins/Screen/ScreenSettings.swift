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
        ("enforce", Setting.choice(["always", "while_sharing", "never"], default: "always",
            "When to put the call page back in full screen: always, only while the page reports a screen share, or never (only report).")),
        ("grace_ms", Setting.integer(0...600_000, default: 2000,
            "How long the window may stay out of full screen, minimised or covered before the agent re-asserts it.")),
        ("verify_ms", Setting.integer(100...60_000, default: 1500, "How long a re-assertion has to work before it counts as failed.")),
        ("backoff_initial_ms", Setting.integer(0...600_000, default: 1000,
            "Extra wait before the second attempt within the window; it doubles with each further attempt.")),
        ("backoff_max_ms", Setting.integer(0...3_600_000, default: 30_000, "The longest extra wait between attempts.")),
        ("attempt_limit", Setting.integer(1...1000, default: 5,
            "At most this many re-assertions within attempt_window_s; then the agent holds back and says so.")),
        ("attempt_window_s", Setting.number(1...86_400, default: 120, "The window over which attempts are counted.")),
        ("geometry_tolerance_px", Setting.integer(0...64, default: 2,
            "How far each edge may be from the monitor's and still count as filling it.")),
        ("cover_min_fraction", Setting.number(0...1, default: 0,
            "The call page counts as covered when more than this share of it lies under other windows (0: any overlap).")),
    ])
}
