import ProctorJSON
import X11Support

/// The desktop plugin's config, read once at create.
struct DesktopSettings: Sendable {
    enum Content: String, Sendable {
        /// Never read clipboard content (the default).
        case none
        /// Read up to the byte limit and report its SHA-256 only.
        case sha256
        /// Read up to the byte limit and report text content itself.
        case text
    }

    var x11: X11Settings
    var selections: [String]
    var content: Content
    var contentLimit: Int
    var measureSize: Bool
    var ownerTimeout: Double
    var titles: TitlePolicy
    var focus: Bool
    /// Seconds a focus on no window must last before it is reported.
    var focusSettle: Double
    var windows: Bool

    init(config: JSONValue) {
        x11 = X11Settings(config: config)
        selections = (config["selections"]?.arrayValue ?? ["clipboard", "primary"]).compactMap(\.stringValue)
        content = Content(rawValue: config["clipboard_content"]?.stringValue ?? "") ?? .none
        contentLimit = config["clipboard_content_max_bytes"]?.intValue ?? 4096
        measureSize = config["clipboard_measure_size"]?.boolValue ?? true
        ownerTimeout = Double(config["clipboard_owner_timeout_ms"]?.intValue ?? 1000) / 1000
        titles = TitlePolicy(rawValue: config["titles"]?.stringValue ?? "") ?? .hashed
        focus = config["focus"]?.boolValue ?? true
        focusSettle = Double(config["focus_settle_ms"]?.intValue ?? 50) / 1000
        windows = config["windows"]?.boolValue ?? true
    }

    static let schema = X11Settings.configSchema([
        ("selections", [
            "type": "array", "items": ["enum": ["clipboard", "primary"]], "maxItems": 2,
            "default": ["clipboard", "primary"],
            "description": "Which selections to watch: CLIPBOARD (copy/paste) and PRIMARY (select/middle-click).",
        ]),
        ("clipboard_content", Setting.choice(["none", "sha256", "text"], default: "none",
            "Clipboard content is never read unless this says so: sha256 reports a hash of the first clipboard_content_max_bytes, text the text itself.")),
        ("clipboard_content_max_bytes", Setting.integer(1...65536, default: 4096,
            "The most content read from one selection when clipboard_content is on.")),
        ("clipboard_measure_size", Setting.boolean(default: true,
            "Report the size of the selection: on X11 the owner converts it into a property of the plugin's own window and the plugin asks the X server for its length (the bytes are not read); on Wayland the owner writes it into a pipe and the plugin counts the bytes, keeping none.")),
        ("clipboard_owner_timeout_ms", Setting.integer(50...10_000, default: 1000,
            "How long to wait for the owner of a selection to answer before reporting what is known.")),
        ("titles", Setting.choice(["full", "hashed", "none"], default: "hashed",
            "What window titles in desktop.focus and desktop.window carry: the title, its SHA-256, or nothing.")),
        ("focus", Setting.boolean(default: true, "Report focus changes (desktop.focus).")),
        ("focus_settle_ms", Setting.integer(0...1000, default: 50,
            "How long focus must stay on no window before that is reported: window managers (openbox) clear the active window for a few milliseconds (at most 12 ms measured with both cores busy) before naming the next one. 0 reports every step.")),
        ("windows", Setting.boolean(default: true, "Report new and closed windows (desktop.window).")),
    ])
}
