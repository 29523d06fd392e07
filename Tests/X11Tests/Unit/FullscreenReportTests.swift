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
        let found = report.observe(window, posture(full: false), byAgent: false, coveredBy: [], now: 10)
        #expect(found == [OutgoingEvent("screen.fullscreen", ["window": "0x00400002", "full_screen": false, "change": "found", "reason": "exited_fullscreen"])])
        let entered = report.observe(window, posture(), byAgent: true, coveredBy: [], now: 12.5)
        #expect(entered == [OutgoingEvent("screen.fullscreen", ["window": "0x00400002", "full_screen": true, "change": "entered", "by": "agent", "away_ms": 2500])])
        #expect(report.observe(window, posture(), byAgent: false, coveredBy: [], now: 13).isEmpty, "no change, no event")
        let left = report.observe(window, posture(hidden: true), byAgent: false, coveredBy: [], now: 20)
        #expect(left == [OutgoingEvent("screen.fullscreen", ["window": "0x00400002", "full_screen": false, "change": "left", "reason": "minimised", "held_ms": 7500])])
        let back = report.observe(window, posture(), byAgent: false, coveredBy: [], now: 21)
        #expect(back.first?.data["by"] == "user")
        #expect(report.lost(reason: "closed", now: 22) == [OutgoingEvent("screen.fullscreen", ["window": "0x00400002", "full_screen": false, "change": "lost", "reason": "closed", "held_ms": 1000])])
        #expect(report.window == nil)
        #expect(report.lost(reason: "closed", now: 23).isEmpty, "lost once")
    }

    @Test func coveredAndUncovered() {
        var report = FullscreenReport(tolerance: 2, coverThreshold: 0)
        _ = report.observe(window, posture(), byAgent: false, coveredBy: [], now: 0)
        let by: [JSONValue] = [["window": "0x00000009", "app": AppIdentity(className: "Xmessage").json]]
        let covered = report.observe(window, posture(covered: 0.25), byAgent: false, coveredBy: by, now: 1)
        #expect(covered == [OutgoingEvent("screen.covered", ["window": "0x00400002", "covered": true, "fraction": 0.25, "by": .array(by)])])
        let uncovered = report.observe(window, posture(), byAgent: false, coveredBy: [], now: 3)
        #expect(uncovered == [OutgoingEvent("screen.covered", ["window": "0x00400002", "covered": false, "covered_ms": 2000])])
    }

    @Test func aNewWindowIsFoundAfresh() {
        var report = FullscreenReport(tolerance: 2, coverThreshold: 0)
        _ = report.observe(window, posture(), byAgent: false, coveredBy: [], now: 0)
        let other = report.observe(WindowID(0x500002), posture(covered: 0.5), byAgent: false, coveredBy: [], now: 1)
        #expect(other.map(\.topic) == ["screen.fullscreen", "screen.covered"])
        #expect(other.first?.data["change"] == "found")
        #expect(other.first?.data["full_screen"] == true)
    }
}
