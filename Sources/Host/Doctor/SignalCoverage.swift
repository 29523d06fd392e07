import ProctorJSON

/// Which of the interview's desktop signals a plugin observes on this desktop
/// and which only the call page reports of itself (docs/wayland.md, "What can
/// and cannot be known"). `proctord doctor` says it for the desktop it finds;
/// the agent's page (`GET /local/status`, `signals`) for the plugins running.
public enum SignalCoverage {
    /// The kinds of desktop that differ in what the plugins can see.
    public enum Desktop: String, Sendable {
        case x11
        /// A compositor with the wlroots protocols (sway, Hyprland, labwc, river).
        case waylandWlroots = "wayland_wlroots"
        /// A compositor without them (GNOME's Mutter, KDE's KWin), or one not known to offer them.
        case waylandLimited = "wayland_limited"
        case none
    }

    /// Where a signal comes from: a plugin watching the desktop, the page's own
    /// report (weaker: a page can lie), or nothing here.
    public enum Source: String, Sendable {
        case desktop, page, none
    }

    struct Signal: Sendable {
        let name: String
        let what: String
        /// The plugin (by library) that sees it on the desktop, and its topics.
        let plugin: String
        let desktopTopics: [String]
        let pageTopics: [String]
        /// The desktops where that plugin can see it.
        let seenOn: Set<Desktop>
    }

    static let everywhere: Set<Desktop> = [.x11, .waylandWlroots]

    static let signals: [Signal] = [
        Signal(name: "focus", what: "focus on the call page", plugin: "desktop",
               desktopTopics: ["desktop.focus"], pageTopics: ["page.focus"], seenOn: everywhere),
        Signal(name: "visibility", what: "the call page shown (not minimised, not another tab)", plugin: "desktop",
               desktopTopics: ["desktop.focus"], pageTopics: ["page.visibility"], seenOn: everywhere),
        Signal(name: "full_screen", what: "the call page full screen", plugin: "screen",
               desktopTopics: ["screen.fullscreen"], pageTopics: ["page.fullscreen"], seenOn: everywhere),
        Signal(name: "windows", what: "windows opening and closing", plugin: "desktop",
               desktopTopics: ["desktop.window"], pageTopics: [], seenOn: everywhere),
        Signal(name: "clipboard", what: "the clipboard changing hands", plugin: "desktop",
               desktopTopics: ["desktop.clipboard"], pageTopics: [], seenOn: everywhere),
        Signal(name: "monitors", what: "the monitors", plugin: "screen",
               desktopTopics: ["screen.monitors"], pageTopics: [], seenOn: [.x11, .waylandWlroots, .waylandLimited]),
        Signal(name: "covered", what: "windows on top of the call page", plugin: "screen",
               desktopTopics: ["screen.covered"], pageTopics: [], seenOn: [.x11]),
        // The share is what getDisplayMedia gave the page: only the page can tell, on any desktop.
        Signal(name: "screen_share", what: "the screen share", plugin: "",
               desktopTopics: [], pageTopics: ["screen.share", "page.screen_share"], seenOn: []),
    ]

    /// The desktop-watching roles (`screen`, `desktop`) among plugin libraries (`screen`, `/usr/lib/.../libproctor-screen.so`).
    public static func roles(of libraries: [String]) -> Set<String> {
        Set(libraries.flatMap { library in
            let file = library.split(separator: "/").last.map(String.init) ?? library
            return ["screen", "desktop"].filter { file.contains($0) }
        })
    }

    /// The desktop the environment names, and the compositor's name when known.
    public static func desktop(environment: [String: String]) -> (desktop: Desktop, name: String) {
        let current = environment["XDG_CURRENT_DESKTOP"].flatMap { $0.isEmpty ? nil : $0 }
        if let wayland = environment["WAYLAND_DISPLAY"], !wayland.isEmpty {
            let wlroots = ["sway", "hyprland", "labwc", "river", "wayfire", "niri", "qtile"]
            let name = current ?? (environment["SWAYSOCK"] != nil ? "sway" : "unknown compositor")
            let offers = wlroots.contains { name.lowercased().contains($0) }
            return (offers ? .waylandWlroots : .waylandLimited, name)
        }
        if let display = environment["DISPLAY"], !display.isEmpty { return (.x11, current ?? "X11") }
        return (.none, "no display")
    }

    /// Each signal with its source on `desktop`, given which plugins (by
    /// library: `screen`, `desktop`) `sees` says are there to watch.
    public static func table(desktop: Desktop, sees: (String) -> Bool) -> [(name: String, what: String, source: Source, topics: [String])] {
        signals.map { signal in
            if signal.seenOn.contains(desktop) && sees(signal.plugin) {
                return (signal.name, signal.what, .desktop, signal.desktopTopics)
            }
            return signal.pageTopics.isEmpty ? (signal.name, signal.what, .none, []) : (signal.name, signal.what, .page, signal.pageTopics)
        }
    }

    /// The table as JSON: `{"desktop", "name", "signals": [{"signal", "what", "source", "topics"}]}`.
    public static func json(desktop: Desktop, name: String, sees: (String) -> Bool) -> JSONValue {
        [
            "desktop": .string(desktop.rawValue), "name": .string(name),
            "signals": .array(table(desktop: desktop, sees: sees).map { row in
                ["signal": .string(row.name), "what": .string(row.what), "source": .string(row.source.rawValue),
                 "topics": .array(row.topics.map(JSONValue.string))]
            }),
        ]
    }

    /// The doctor's finding: what the plugins observe here and what only the page reports.
    public static func finding(environment: [String: String], enabledPlugins: Set<String>) -> DoctorFinding {
        let (desktop, name) = Self.desktop(environment: environment)
        let sees = { (plugin: String) in enabledPlugins.contains(plugin) }
        let rows = table(desktop: desktop, sees: sees)
        func list(_ source: Source) -> String {
            let names = rows.filter { $0.source == source }.map(\.name)
            return names.isEmpty ? "nothing" : names.joined(separator: ", ")
        }
        let summary = "on \(name) (\(desktop.rawValue)): observed on the desktop: \(list(.desktop)); from the page only: \(list(.page)); not at all: \(list(.none))"
        let pageOnly = rows.contains { $0.source == .page && $0.name != "screen_share" }
        let advice: String? = switch desktop {
        case .waylandLimited: "this compositor shows the plugins no other window: the page's own reports (weaker: a page can lie) stand in for focus and full screen; a wlroots compositor (sway, Hyprland, labwc) or an X11 session lets the plugins see them (docs/wayland.md)"
        case .none: "run this from a terminal in your desktop session"
        default: pageOnly ? "enable the screen and desktop plugins to observe these on the desktop" : nil
        }
        return DoctorFinding("signals", pageOnly ? .note : .ok, summary, advice: advice,
                             details: json(desktop: desktop, name: name, sees: sees))
    }
}
