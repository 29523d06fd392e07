import Testing
import X11Support

@testable import Screen

/// What counts as full screen, covered, and which violation wins.
@Suite struct PostureTests {
    let monitor = Monitor(name: "screen", rect: Rect(x: 0, y: 0, width: 1280, height: 800), primary: true)

    func posture(_ state: WindowState, rect: Rect? = nil, viewable: Bool = true, covered: Double = 0) -> WindowPosture {
        let rect = rect ?? monitor.rect
        return WindowPosture(state: state, viewable: viewable, rect: rect, monitor: Monitor.showing(rect, among: [monitor]),
                             coveredFraction: covered, coveredBy: covered > 0 ? [WindowID(7)] : [])
    }

    @Test func violationsInOrderOfImportance() {
        let full = WindowState(fullscreen: true)
        #expect(posture(full).violation(tolerance: 2, coverThreshold: 0) == nil)
        #expect(posture(full).isFullscreen(tolerance: 2))
        #expect(posture(WindowState(fullscreen: true, hidden: true), covered: 0.5).violation(tolerance: 2, coverThreshold: 0) == .minimised)
        #expect(posture(full, viewable: false).violation(tolerance: 2, coverThreshold: 0) == .minimised)
        #expect(posture(WindowState(), covered: 0.5).violation(tolerance: 2, coverThreshold: 0) == .exitedFullscreen)
        let smaller = Rect(x: 10, y: 20, width: 1000, height: 700)
        #expect(posture(full, rect: smaller).violation(tolerance: 2, coverThreshold: 0) == .resized)
        #expect(!posture(full, rect: smaller).isFullscreen(tolerance: 2))
        #expect(posture(full, covered: 0.1).violation(tolerance: 2, coverThreshold: 0) == .covered)
        #expect(posture(full, covered: 0.1).isFullscreen(tolerance: 2), "covered is still full screen")
    }

    @Test func toleranceAndCoverThreshold() {
        let full = WindowState(fullscreen: true)
        let nearly = Rect(x: 1, y: 0, width: 1278, height: 801)
        #expect(posture(full, rect: nearly).violation(tolerance: 2, coverThreshold: 0) == nil)
        #expect(posture(full, rect: nearly).violation(tolerance: 0, coverThreshold: 0) == .resized)
        #expect(posture(full, covered: 0.05).violation(tolerance: 2, coverThreshold: 0.1) == nil)
        #expect(posture(full, covered: 0.15).violation(tolerance: 2, coverThreshold: 0.1) == .covered)
    }

    @Test func coverageCountsOverlapsOnce() {
        let target = Rect(x: 0, y: 0, width: 100, height: 100)
        #expect(Coverage.fraction(of: target, by: []) == 0)
        #expect(Coverage.fraction(of: target, by: [Rect(x: 200, y: 0, width: 10, height: 10)]) == 0)
        #expect(Coverage.fraction(of: target, by: [Rect(x: -50, y: -50, width: 100, height: 100)]) == 0.25)
        let a = Rect(x: 0, y: 0, width: 60, height: 100), b = Rect(x: 40, y: 0, width: 60, height: 100)
        #expect(Coverage.fraction(of: target, by: [a, b]) == 1, "40 % overlap counted once")
        #expect(Coverage.fraction(of: target, by: [a, a, a]) == 0.6)
        #expect(Coverage.fraction(of: target, by: [Rect(x: -10, y: -10, width: 500, height: 500)]) == 1)
        #expect(Coverage.fraction(of: Rect(x: 0, y: 0, width: 0, height: 10), by: [target]) == 0)
    }

    @Test func aWindowBelongsToTheMonitorShowingMostOfIt() {
        let left = Monitor(name: "left", rect: Rect(x: 0, y: 0, width: 640, height: 800), primary: true)
        let right = Monitor(name: "right", rect: Rect(x: 640, y: 0, width: 640, height: 800), primary: false)
        #expect(Monitor.showing(Rect(x: 600, y: 0, width: 400, height: 400), among: [left, right])?.name == "right")
        #expect(Monitor.showing(Rect(x: 2000, y: 0, width: 10, height: 10), among: [left, right]) == nil)
    }
}
