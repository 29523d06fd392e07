import PluginKit
import ProctorJSON
import Testing

@testable import Screen

/// The page's screen-share reports and the changes they imply.
@Suite struct ShareStateTests {
    @Test func parsesWhatThePageSends() throws {
        #expect(try ShareState.parse(["active": true, "display_surface": "monitor"]) == ShareState(active: true, surface: "monitor"))
        #expect(try ShareState.parse(["active": false]) == ShareState(active: false, surface: nil))
        #expect(try ShareState.parse(["active": true, "displaySurface": "browser"]) == ShareState(active: true, surface: "browser"))
        #expect(try ShareState.parse(["active": false, "display_surface": nil]) == ShareState(active: false, surface: nil))
        for bad: JSONValue? in [nil, [:], ["active": "yes"], ["active": true, "display_surface": "screen"], ["active": true, "display_surface": 3]] {
            #expect(throws: PluginRequestError.self) { try ShareState.parse(bad) }
        }
    }

    @Test func changesBetweenReports() {
        let monitor = ShareState(active: true, surface: "monitor")
        let window = ShareState(active: true, surface: "window")
        let stopped = ShareState(active: false, surface: nil)
        #expect(monitor.change(from: nil) == "initial")
        #expect(monitor.change(from: monitor) == nil)
        #expect(window.change(from: monitor) == "surface_changed")
        #expect(stopped.change(from: window) == "stopped")
        #expect(monitor.change(from: stopped) == "started")
        #expect(monitor.isFullScreenShare && !window.isFullScreenShare && !stopped.isFullScreenShare)
        #expect(window.event(change: "surface_changed").data == [
            "active": true, "display_surface": "window", "full_screen_share": false, "change": "surface_changed",
        ])
    }
}
