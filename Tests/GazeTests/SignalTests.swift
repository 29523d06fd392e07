@testable import Gaze
import Testing

/// The per-frame signal state machines, walked with explicit times.
@Suite struct SignalTests {
    @Test func theFaceCountChangesOnlyOnceItHolds() {
        var watcher = FaceCountWatcher(stableFrames: 3)
        #expect(watcher.observe(1) == .init(count: 1, previous: nil), "the first count is reported at once")
        #expect(watcher.observe(0) == nil && watcher.observe(1) == nil, "a one-frame miss is not a change")
        #expect(watcher.observe(0) == nil && watcher.observe(0) == nil)
        #expect(watcher.observe(0) == .init(count: 0, previous: 1))
        #expect(watcher.observe(2) == nil && watcher.observe(3) == nil && watcher.observe(3) == nil)
        #expect(watcher.observe(3) == .init(count: 3, previous: 0))
    }

    @Test func aBlinkIsReportedWhenTheEyesReopen() {
        var blinks = BlinkDetector()
        #expect(blinks.observe(closed: false, frame: 0, time: 0) == nil)
        #expect(blinks.observe(closed: true, frame: 1, time: 33) == nil)
        #expect(blinks.isClosed)
        #expect(blinks.observe(closed: true, frame: 2, time: 66) == nil)
        #expect(blinks.observe(closed: false, frame: 3, time: 100) == .init(startFrame: 1, durationMilliseconds: 67))
        #expect(!blinks.isClosed)
    }

    @Test func lookingAwayStartsAfterItHoldsAndEndsAfterTheReturnHolds() {
        var away = AwayDetector(minimumAwayMilliseconds: 500, minimumBackMilliseconds: 300)
        #expect(away.observe(.left, at: 0, basis: "head_pose").isEmpty)
        #expect(away.observe(nil, at: 200, basis: "head_pose").isEmpty, "a glance")
        #expect(away.observe(.left, at: 1000, basis: "head_pose").isEmpty)
        #expect(away.observe(.left, at: 1400, basis: "head_pose").isEmpty)
        #expect(away.observe(.left, at: 1500, basis: "head_pose") == [.started(direction: .left, at: 1000, basis: "head_pose")])
        #expect(away.isAway)
        #expect(away.observe(nil, at: 3000, basis: "head_pose").isEmpty)
        #expect(away.observe(.left, at: 3100, basis: "head_pose").isEmpty, "a glance back does not end it")
        #expect(away.observe(nil, at: 3200, basis: "head_pose").isEmpty)
        #expect(away.observe(nil, at: 3600, basis: "head_pose") == [.ended(direction: .left, durationMilliseconds: 2200, at: 3200, basis: "head_pose")])
        #expect(!away.isAway)
    }

    @Test func turningFromOneSideToAnotherEndsTheFirstSpell() {
        var away = AwayDetector(minimumAwayMilliseconds: 100, minimumBackMilliseconds: 100)
        _ = away.observe(.up, at: 0, basis: "pupils")
        #expect(away.observe(.up, at: 100, basis: "pupils") == [.started(direction: .up, at: 0, basis: "pupils")])
        #expect(away.observe(.down, at: 400, basis: "pupils") == [.ended(direction: .up, durationMilliseconds: 400, at: 400, basis: "pupils")])
        #expect(away.observe(.down, at: 500, basis: "pupils") == [.started(direction: .down, at: 400, basis: "pupils")])
    }

    @Test func fixationsNeedTimeAndStillness() {
        var fixations = FixationDetector(maximumDispersion: 40, minimumDurationMilliseconds: 100)
        for t in stride(from: 0.0, through: 150, by: 30) {
            #expect(fixations.observe((x: 500 + t / 30, y: 300), at: t) == nil)
        }
        let ended = fixations.observe((x: 900, y: 300), at: 180)
        #expect(ended?.samples == 6 && ended?.durationMilliseconds == 150)
        #expect(abs((ended?.x ?? 0) - 502.5) < 0.01 && ended?.y == 300)
        // A jump that never settles is no fixation.
        #expect(fixations.observe((x: 100, y: 100), at: 210) == nil)
        #expect(fixations.observe(nil, at: 240) == nil)
    }

    @Test func theHeatmapCountsWhereTheGazeFell() {
        var map = Heatmap(columns: 4, rows: 2, screen: (400, 200))
        map.add(x: 10, y: 10)
        map.add(x: 399, y: 199)
        map.add(x: 399, y: 199)
        map.add(x: -5, y: 10)
        #expect(map.counts == [1, 0, 0, 0, 0, 0, 0, 2])
        #expect(map.offScreen == 1)
    }
}
