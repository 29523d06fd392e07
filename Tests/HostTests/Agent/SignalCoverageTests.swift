import ProctorHost
import Testing

/// Which signals come from the desktop and which from the page only, per
/// desktop and per plugin that watches it.
@Suite struct SignalCoverageTests {
    func sources(_ desktop: SignalCoverage.Desktop, _ plugins: Set<String>) -> [String: SignalCoverage.Source] {
        Dictionary(uniqueKeysWithValues: SignalCoverage.table(desktop: desktop, sees: plugins.contains).map { ($0.name, $0.source) })
    }

    @Test func onX11ThePluginsSeeEverythingButTheShare() {
        let x11 = sources(.x11, ["screen", "desktop"])
        #expect(x11.filter { $0.value != .desktop }.keys.sorted() == ["screen_share"])
    }

    @Test func withoutTheDesktopPluginFocusFallsBackToThePageAndTheClipboardToNothing() {
        let screenOnly = sources(.x11, ["screen"])
        #expect(screenOnly["focus"] == .page && screenOnly["visibility"] == .page && screenOnly["clipboard"] == SignalCoverage.Source.none)
        #expect(screenOnly["full_screen"] == .desktop && screenOnly["covered"] == .desktop)
    }

    @Test func theEnvironmentNamesTheDesktop() {
        #expect(SignalCoverage.desktop(environment: ["DISPLAY": ":0"]).desktop == .x11)
        #expect(SignalCoverage.desktop(environment: ["WAYLAND_DISPLAY": "wayland-0", "XDG_CURRENT_DESKTOP": "KDE"]).desktop == .waylandLimited)
        #expect(SignalCoverage.desktop(environment: ["WAYLAND_DISPLAY": "wayland-0", "SWAYSOCK": "/run/sway.sock"]) == (.waylandWlroots, "sway"))
        #expect(SignalCoverage.desktop(environment: [:]).desktop == SignalCoverage.Desktop.none)
        #expect(SignalCoverage.roles(of: ["screen", "/usr/lib/proctord/libproctor-desktop.so", "heartbeat"]) == ["screen", "desktop"])
    }
}
