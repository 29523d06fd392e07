import ProctorJSON
import Testing
import X11Support

@testable import Screen

/// The events the screen plugin derives from the call page's posture.
@Suite struct FullscreenReportTests {
    let monitor = Monitor(name: "screen", rect: Rect(x: 0, y: 0, width: 1280, height: 800), primary: true)
    let window = WindowID(0x400002)

    func posture(full: Bool = true, hidden: Bool = false, covered: Double = 0) -> WindowPosture {
        WindowPosture(state: WindowState(fullscreen: full, hidden: hidden), viewable: true, rect: monitor.rect, monitor: monitor,
                      coveredFraction: covered, coveredBy: covered > 0 ? [WindowID(9)] : [])
    }

    @Test func foundLeftEnteredAndLostWithDurations() {
        var report = FullscreenReport(tolerance: 2, coverThreshold: 0)
        let found = report.observe(window, posture(full: false), byAgent: false, coveredBy: [], pageFullScreen: false, now: 10)
        #expect(found == [OutgoingEvent("screen.fullscreen", ["window": "0x00400002", "full_screen": false, "change": "found", "kind": .null, "reason": "exited_fullscreen"])])
        let entered = report.observe(window, posture(), byAgent: true, coveredBy: [], pageFullScreen: false, now: 12.5)
        #expect(entered == [OutgoingEvent("screen.fullscreen", ["window": "0x00400002", "full_screen": true, "kind": "window", "change": "entered", "by": "agent", "away_ms": 2500])])
        #expect(report.observe(window, posture(), byAgent: false, coveredBy: [], pageFullScreen: false, now: 13).isEmpty, "no change, no event")
        let left = report.observe(window, posture(hidden: true), byAgent: false, coveredBy: [], pageFullScreen: false, now: 20)
        #expect(left == [OutgoingEvent("screen.fullscreen", ["window": "0x00400002", "full_screen": false, "kind": .null, "change": "left", "reason": "minimised", "held_ms": 7500])])
        let back = report.observe(window, posture(), byAgent: false, coveredBy: [], pageFullScreen: false, now: 21)
        #expect(back.first?.data["by"] == "user")
        #expect(report.lost(reason: "closed", now: 22) == [OutgoingEvent("screen.fullscreen", ["window": "0x00400002", "full_screen": false, "change": "lost", "reason": "closed", "kind": .null, "held_ms": 1000])])
        #expect(report.window == nil)
        #expect(report.lost(reason: "closed", now: 23).isEmpty, "lost once")
    }

    @Test func coveredAndUncovered() {
        var report = FullscreenReport(tolerance: 2, coverThreshold: 0)
        _ = report.observe(window, posture(), byAgent: false, coveredBy: [], pageFullScreen: false, now: 0)
        let by: [JSONValue] = [["window": "0x00000009", "app": AppIdentity(className: "Xmessage").json]]
        let covered = report.observe(window, posture(covered: 0.25), byAgent: false, coveredBy: by, pageFullScreen: false, now: 1)
        #expect(covered == [OutgoingEvent("screen.covered", ["window": "0x00400002", "covered": true, "fraction": 0.25, "by": .array(by)])])
        let uncovered = report.observe(window, posture(), byAgent: false, coveredBy: [], pageFullScreen: false, now: 3)
        #expect(uncovered == [OutgoingEvent("screen.covered", ["window": "0x00400002", "covered": false, "covered_ms": 2000])])
    }

    @Test func aNewWindowIsFoundAfresh() {
        var report = FullscreenReport(tolerance: 2, coverThreshold: 0)
        _ = report.observe(window, posture(), byAgent: false, coveredBy: [], pageFullScreen: false, now: 0)
        let other = report.observe(WindowID(0x500002), posture(covered: 0.5), byAgent: false, coveredBy: [], pageFullScreen: false, now: 1)
        #expect(other.map(\.topic) == ["screen.fullscreen", "screen.covered"])
        #expect(other.first?.data["change"] == "found")
        #expect(other.first?.data["full_screen"] == true)
    }

    /// Which full screen holds: the page's own once it says so while the window is full screen,
    /// the window's alone otherwise; a change of kind alone is reported too.
    @Test func theKindFollowsThePageWhileTheWindowIsFullScreen() {
        var report = FullscreenReport(tolerance: 2, coverThreshold: 0)
        let found = report.observe(window, posture(), byAgent: false, coveredBy: [], pageFullScreen: false, now: 0)
        #expect(found.first?.data["kind"] == "window")
        let page = report.observe(window, posture(), byAgent: false, coveredBy: [], pageFullScreen: true, now: 4)
        #expect(page == [OutgoingEvent("screen.fullscreen", ["window": "0x00400002", "full_screen": true, "kind": "page", "change": "kind_changed", "held_ms": 4000])])
        #expect(report.kind == .page)
        #expect(report.observe(window, posture(), byAgent: false, coveredBy: [], pageFullScreen: true, now: 5).isEmpty, "no change, no event")
        // The page says it holds its full screen, but the window is out of it: no kind.
        let left = report.observe(window, posture(full: false), byAgent: false, coveredBy: [], pageFullScreen: true, now: 6)
        #expect(left.first?.data["change"] == "left" && left.first?.data["kind"] == .null)
        let back = report.observe(window, posture(), byAgent: true, coveredBy: [], pageFullScreen: false, now: 7)
        #expect(back.first?.data["change"] == "entered" && back.first?.data["kind"] == "window")
    }
}
