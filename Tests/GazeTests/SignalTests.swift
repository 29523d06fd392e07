@testable import Gaze
import Glibc
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
        var blinks = EyeClosureDetector()
        #expect(blinks.observe(closed: false, frame: 0, time: 0) == nil)
        #expect(blinks.observe(closed: true, frame: 1, time: 33) == nil)
        #expect(blinks.isClosed)
        #expect(blinks.observe(closed: true, frame: 2, time: 66) == nil)
        #expect(blinks.observe(closed: false, frame: 3, time: 100) == .blink(startFrame: 1, durationMilliseconds: 67))
        #expect(!blinks.isClosed)
        #expect(blinks.observe(closed: true, frame: 4, time: 133) == nil)
        #expect(blinks.observe(closed: false, frame: 5, time: 166) == .blink(startFrame: 4, durationMilliseconds: 33),
                "one closed frame is a blink by default")
        var strict = EyeClosureDetector(blinkMinimumMilliseconds: 50)
        #expect(strict.observe(closed: true, frame: 0, time: 0) == nil)
        #expect(strict.observe(closed: false, frame: 1, time: 33) == nil, "under blink_min_ms: flicker, dropped")
    }

    @Test func aLongClosureIsEyesClosedNotABlink() {
        // The 4.3 s closure of issue 11 (103 frames at 24 frames/s), then a blink of 6 frames.
        var closures = EyeClosureDetector(blinkMinimumMilliseconds: 50, closedMinimumMilliseconds: 400)
        var events: [EyeClosureDetector.Event] = []
        let frameMs = 1000.0 / 24
        for frame in 0..<150 {
            let closed = frame < 103 || (120..<126).contains(frame)
            if let event = closures.observe(closed: closed, frame: Int64(frame), time: Double(frame) * frameMs) { events.append(event) }
        }
        #expect(events.count == 3)
        #expect(events.first == .closedStarted(startFrame: 0, at: 0), "started once it lasted 400 ms, dated from its first frame")
        guard events.count == 3, case .closedEnded(let start, _, let duration) = events[1], case .blink(let blinkStart, let blinkMs) = events[2]
        else { return }
        #expect(start == 0 && abs(duration - 103 * frameMs) < 0.01, "ended with its whole duration")
        #expect(blinkStart == 120 && abs(blinkMs - 6 * frameMs) < 0.01)
        // Exactly the threshold: a closure, not a blink (ended at the first open frame with no reopening wait).
        var edge = EyeClosureDetector(blinkMinimumMilliseconds: 50, closedMinimumMilliseconds: 400, reopenMilliseconds: 0)
        #expect(edge.observe(closed: true, frame: 0, time: 0) == nil)
        #expect(edge.observe(closed: true, frame: 12, time: 400) == .closedStarted(startFrame: 0, at: 0))
        #expect(edge.observe(closed: false, frame: 13, time: 433) == .closedEnded(startFrame: 0, at: 433, durationMilliseconds: 433))
    }

    @Test func lidsFlickeringAsAClosureEndsAreNoBlinks() {
        // WolfgangLanger_Pexels.mp4 rolled by +10 degrees at 24 frames/s: after the 4.3 s closure the lids read
        // open, one shut, both shut, one shut for five frames, both shut, one shut, then open.
        let frameMs = 1000.0 / 24
        let after: [(both: Bool, one: Bool)] = [(false, false), (false, true), (true, false)] + Array(repeating: (false, true), count: 5)
            + [(true, false), (false, true)] + Array(repeating: (false, false), count: 8)
        func replay(_ detector: EyeClosureDetector) -> [EyeClosureDetector.Event] {
            var detector = detector, events: [EyeClosureDetector.Event] = []
            for frame in 0..<(103 + after.count) {
                let lids = frame < 103 ? (both: true, one: false) : after[frame - 103]
                if let event = detector.observe(closed: lids.both, oneShut: lids.one, frame: Int64(frame), time: Double(frame) * frameMs) {
                    events.append(event)
                }
            }
            return events
        }
        let events = replay(EyeClosureDetector())
        #expect(events.count == 2, "one closure, started and ended, no blink: \(events)")
        if events.count == 2, case .closedEnded(let start, let at, let duration) = events[1] {
            #expect(start == 0 && abs(at - 112 * frameMs) < 0.01 && abs(duration - 112 * frameMs) < 0.01,
                    "dated from the first frame after the last both-shut one")
        }
        // Ended at the first open frame instead, the flicker is two blinks.
        let immediate = replay(EyeClosureDetector(reopenMilliseconds: 0))
        #expect(immediate.filter { if case .blink = $0 { true } else { false } }.count == 2)
        // An eye that stays shut does not hold the closure open for longer than five times the wait.
        var wink = EyeClosureDetector()
        for frame in 0..<13 { _ = wink.observe(closed: true, frame: Int64(frame), time: Double(frame) * 40) }
        var ended: EyeClosureDetector.Event?
        for frame in 13..<40 where ended == nil {
            ended = wink.observe(closed: false, oneShut: true, frame: Int64(frame), time: Double(frame) * 40)
            if ended != nil { #expect(Double(frame) * 40 - 520 >= 500 && Double(frame) * 40 - 520 < 540) }
        }
        #expect(ended == .closedEnded(startFrame: 0, at: 520, durationMilliseconds: 520))
    }

    @Test func lookingAwayStartsAfterItHoldsAndEndsAfterTheReturnHolds() {
        var away = AwayDetector(minimumAwayMilliseconds: 500, minimumBackMilliseconds: 300)
        #expect(away.observe(.left, at: 0, basis: "head_pose").isEmpty)
        #expect(away.observe(nil, at: 200, basis: "head_pose").isEmpty, "a glance")
        #expect(away.observe(.left, at: 1000, basis: "head_pose").isEmpty)
        #expect(away.observe(.left, at: 1400, basis: "head_pose").isEmpty)
        #expect(away.observe(.left, at: 1500, basis: "head_pose") == [.started(direction: .left, at: 1000, basis: "head_pose", confidence: 1)])
        #expect(away.isAway)
        #expect(away.observe(nil, at: 3000, basis: "head_pose").isEmpty)
        #expect(away.observe(.left, at: 3100, basis: "head_pose").isEmpty, "a glance back does not end it")
        #expect(away.observe(nil, at: 3200, basis: "head_pose").isEmpty)
        #expect(away.observe(nil, at: 3600, basis: "head_pose") == [.ended(direction: .left, durationMilliseconds: 2200, at: 3200, basis: "head_pose", confidence: 1)])
        #expect(!away.isAway)
    }

    @Test func turningFromOneSideToAnotherEndsTheFirstSpell() {
        var away = AwayDetector(minimumAwayMilliseconds: 100, minimumBackMilliseconds: 100)
        _ = away.observe(.up, at: 0, basis: "pupils")
        #expect(away.observe(.up, at: 100, basis: "pupils") == [.started(direction: .up, at: 0, basis: "pupils", confidence: 1)])
        #expect(away.observe(.down, at: 400, basis: "pupils") == [.ended(direction: .up, durationMilliseconds: 400, at: 400, basis: "pupils", confidence: 1)])
        #expect(away.observe(.down, at: 500, basis: "pupils") == [.started(direction: .down, at: 400, basis: "pupils", confidence: 1)])
    }

    /// Issue 11: gaze.away carries a confidence, the mean evidence of the frames that looked away.
    @Test func theConfidenceOfLookingAwayIsTheMeanEvidenceOfItsFrames() {
        var away = AwayDetector(minimumAwayMilliseconds: 100, minimumBackMilliseconds: 100)
        #expect(away.observe(.left, at: 0, basis: "head_and_eyes", evidence: 0.25).isEmpty)
        #expect(away.observe(.left, at: 100, basis: "head_and_eyes", evidence: 0.5)
            == [.started(direction: .left, at: 0, basis: "head_and_eyes", confidence: 0.375)])
        _ = away.observe(.left, at: 200, basis: "head_and_eyes", evidence: 0.75)
        _ = away.observe(nil, at: 300, basis: "head_and_eyes", evidence: 0)  // back: not part of the spell
        let ended = away.observe(nil, at: 400, basis: "head_and_eyes")
        #expect(ended == [.ended(direction: .left, durationMilliseconds: 300, at: 300, basis: "head_and_eyes", confidence: 0.5)])
        // A new spell starts its own mean; evidence outside 0..1 is clamped.
        _ = away.observe(.down, at: 1000, basis: "head_pose", evidence: 7)
        #expect(away.observe(.down, at: 1100, basis: "head_pose", evidence: 1)
            == [.started(direction: .down, at: 1000, basis: "head_pose", confidence: 1)])
    }

    /// Issue 11: a look that hovers at the limit (within what the measurement wobbles by) is no evidence;
    /// the same spell starts, dated from its first frame, once it goes far enough.
    @Test func aLookHoveringAtTheLimitStartsOnlyOnceItsConfidenceReachesTheFloor() {
        var away = AwayDetector(minimumAwayMilliseconds: 100, minimumBackMilliseconds: 100, minimumConfidence: 0.1)
        for t in stride(from: 0.0, through: 900, by: 100) {
            #expect(away.observe(.left, at: t, basis: "head_and_eyes", evidence: 0.05).isEmpty, "0.05 is under the 0.1 floor at \(t) ms")
        }
        #expect(!away.isAway)
        // Ten frames at 0.05, then one at 0.65: the mean is (0.5 + 0.65) / 11 = 0.105, over the floor.
        let events = away.observe(.left, at: 1000, basis: "head_and_eyes", evidence: 0.65)
        guard case .started(.left, let at, "head_and_eyes", let confidence)? = events.first, events.count == 1 else {
            Issue.record("expected one start: \(events)")
            return
        }
        #expect(at == 0, "dated from the spell's first frame")
        #expect(abs(confidence - 1.15 / 11) < 1e-9)
        // A clear look starts as soon as it has held.
        var clear = AwayDetector(minimumAwayMilliseconds: 100, minimumBackMilliseconds: 100, minimumConfidence: 0.1)
        _ = clear.observe(.down, at: 0, basis: "head_pose", evidence: 0.4)
        #expect(clear.observe(.down, at: 100, basis: "head_pose", evidence: 0.4) == [.started(direction: .down, at: 0, basis: "head_pose", confidence: 0.4)])
    }

    /// Issue 11: after the first seconds the neutral follows where the gaze rests (the median of frames at
    /// the screen), so a neutral learnt while the eyes still roamed settles; a look away never teaches it,
    /// and it moves at most `neutralDriftDegrees` from the one learnt.
    @Test func theNeutralFollowsWhereTheGazeRestsButNotALookAway() {
        var gaze = HeadAndEyes(limits: .init(yawDegrees: 25, pitchDegrees: 20, degreesPerRatio: 80, learnMilliseconds: 1000,
                                             neutralWindowMilliseconds: 10000, neutralSampleMilliseconds: 100, neutralDriftDegrees: 10))
        var t = 0.0
        func hold(_ o: HeadAndEyes.Observation, for milliseconds: Double) -> [HeadAndEyes.Reading] {
            var readings: [HeadAndEyes.Reading] = []
            let end = t + milliseconds
            while t < end { readings.append(gaze.observe(o, at: t)); t += 33 }
            return readings
        }
        _ = hold(.init(yaw: 0, pitch: 10, horizontal: 0.40, vertical: -0.10), for: 1100)
        #expect(gaze.neutral == .init(yaw: 0, pitch: 10, horizontal: 0.40, vertical: -0.10))
        // The eyes come to rest 0.1 of the eye's width to her left (8 degrees, inside the limit): the neutral goes there.
        let resting = hold(.init(yaw: 0, pitch: 10, horizontal: 0.50, vertical: -0.10), for: 10000)
        #expect(resting.allSatisfy { $0.direction == nil })
        #expect(abs((gaze.neutral?.horizontal ?? 0) - 0.50) < 1e-9, "\(String(describing: gaze.neutral))")
        // A look away of 20 s (head 40 degrees to her left) reads away throughout and teaches nothing.
        let turned = hold(.init(yaw: 40, pitch: 10, horizontal: 0.50, vertical: -0.10), for: 20000)
        #expect(turned.allSatisfy { $0.direction == .left })
        #expect(gaze.neutral?.yaw == 0)
        // Eyes alone turned 0.35 of the eye's width (28 degrees) from where they rest: left.
        #expect(hold(.init(yaw: 0, pitch: 10, horizontal: 0.85, vertical: -0.10), for: 100).allSatisfy { $0.direction == .left })
        // Resting 20 degrees to her left for longer than the window moves the neutral only 10 degrees.
        let aside = hold(.init(yaw: 20, pitch: 10, horizontal: 0.50, vertical: -0.10), for: 12000)
        #expect(aside.allSatisfy { $0.direction == nil })
        #expect(gaze.neutral?.yaw == 10)
        // So a head 36 degrees to her left is still away (26 from that neutral), and the screen's side is not.
        #expect(hold(.init(yaw: 36, pitch: 10, horizontal: 0.50, vertical: -0.10), for: 100).allSatisfy { $0.direction == .left })
        #expect(hold(.init(yaw: 0, pitch: 10, horizontal: 0.50, vertical: -0.10), for: 100).allSatisfy { $0.direction == nil })
    }

    @Test func aReadingIsStrongerTheFurtherBeyondTheLimit() {
        var gaze = HeadAndEyes(limits: .init(yawDegrees: 25, pitchDegrees: 20))
        #expect(gaze.observe(.init(yaw: 10, pitch: 0, horizontal: nil, vertical: nil), at: 0) == .init(direction: nil, basis: "head_pose"))
        // Before the neutral is learnt the head alone has 15 degrees more room: 40 sideways, 35 up or down.
        let just = gaze.observe(.init(yaw: 48, pitch: 0, horizontal: nil, vertical: nil), at: 33)
        #expect(just.direction == .left && abs(just.strength - 0.2) < 1e-9, "8 degrees beyond a 40 degree limit: \(just)")
        #expect(gaze.observe(.init(yaw: 0, pitch: -70, horizontal: nil, vertical: nil), at: 66) == .init(direction: .down, basis: "head_pose", strength: 1))
    }

    @Test func aHeadTiltedBackWithTheEyesOnTheScreenIsNotAway() {
        var gaze = HeadAndEyes(limits: .init(yawDegrees: 25, pitchDegrees: 20, degreesPerRatio: 80, learnMilliseconds: 1000))
        // The neutral: this person's head pose reads 12 degrees up, the pupils sit 0.1 above the corner line.
        let neutral = HeadAndEyes.Observation(yaw: -5, pitch: 12, horizontal: 0.45, vertical: -0.10)
        for t in stride(from: 0.0, through: 1023, by: 33) {  // 32 frames over 1023 ms
            #expect(gaze.observe(neutral, at: t).basis == (t < 1000 ? "head_pose" : "head_and_eyes"))
        }
        #expect(gaze.neutral == .init(yaw: -5, pitch: 12, horizontal: 0.45, vertical: -0.10))
        // Head back by 22 degrees, eyes turned down in it by as much (0.275 of the eye width): at the screen.
        #expect(gaze.observe(.init(yaw: -5, pitch: 34, horizontal: 0.45, vertical: 0.175), at: 1100) == .init(direction: nil, basis: "head_and_eyes"))
        // The same head with the eyes not compensating: up.
        #expect(gaze.observe(.init(yaw: -5, pitch: 34, horizontal: 0.45, vertical: -0.10), at: 1133).direction == .up)
        // Eyes down under a still head: down.
        #expect(gaze.observe(.init(yaw: -5, pitch: 12, horizontal: 0.45, vertical: 0.20), at: 1166).direction == .down)
        // Head turned 15 degrees to the subject's left, eyes 15 more: left; eyes back toward the screen: present.
        #expect(gaze.observe(.init(yaw: 10, pitch: 12, horizontal: 0.64, vertical: -0.10), at: 1200).direction == .left)
        #expect(gaze.observe(.init(yaw: 10, pitch: 12, horizontal: 0.30, vertical: -0.10), at: 1233).direction == nil)
        // No usable eyes: the head alone, against its neutral.
        #expect(gaze.observe(.init(yaw: -35, pitch: 12, horizontal: nil, vertical: nil), at: 1266).direction == .right)
    }

    @Test func aTurnIsReadInTheAxesOfAHeadRolledThroughout() {
        // A camera (or a posture) rolled 25 degrees for the whole clip: the neutral learns that roll.
        var gaze = HeadAndEyes(limits: .init(yawDegrees: 25, pitchDegrees: 20, degreesPerRatio: 80, learnMilliseconds: 1000))
        for t in stride(from: 0.0, through: 1023, by: 33) {
            _ = gaze.observe(.init(yaw: 0, pitch: 0, horizontal: 0.5, vertical: 0, roll: 25), at: t)
        }
        #expect(gaze.neutral?.roll == 25)
        // The head turns 20 degrees to the subject's left and rises 18, each within its limit. Seen
        // in the camera's axes, rolled 25 degrees: yaw 20 cos 25 + 18 sin 25 = 25.7, pitch -20 sin 25 + 18 cos 25 = 7.9.
        let c = cos(25 * Double.pi / 180), s = sin(25 * Double.pi / 180)
        func camera(yaw: Double, pitch: Double) -> HeadAndEyes.Observation {
            .init(yaw: c * yaw + s * pitch, pitch: -s * yaw + c * pitch, horizontal: 0.5, vertical: 0, roll: 25)
        }
        #expect(camera(yaw: 20, pitch: 18).yaw > 25, "the camera's yaw alone would read it beyond the limit")
        #expect(gaze.observe(camera(yaw: 20, pitch: 18), at: 1100).direction == nil)
        // A turn of 30 degrees is away whichever way the camera is rolled.
        #expect(gaze.observe(camera(yaw: 30, pitch: 0), at: 1133).direction == .left)
        #expect(gaze.observe(camera(yaw: -30, pitch: 5), at: 1166).direction == .right)
        // The frame's own roll is not what turns it: the same frame tilted 25 degrees more reads the same.
        var tilted = camera(yaw: 20, pitch: 18)
        tilted.roll = 50
        #expect(gaze.observe(tilted, at: 1200).direction == nil)
    }

    @Test func theNeutralIsNotLearntFromAFaceTurnedAwayOrWithoutEyes() {
        var gaze = HeadAndEyes(limits: .init(learnMilliseconds: 1000))
        for t in stride(from: 0.0, through: 2000, by: 33) {
            _ = gaze.observe(.init(yaw: 40, pitch: 0, horizontal: 0.5, vertical: 0), at: t)
            _ = gaze.observe(.init(yaw: 0, pitch: 0, horizontal: nil, vertical: nil), at: t + 1)
        }
        #expect(gaze.neutral == nil)
        #expect(gaze.observe(.init(yaw: 0, pitch: 21, horizontal: 0.5, vertical: 0), at: 3000) == .init(direction: nil, basis: "head_pose"),
                "until then the head alone, against 0, with 15 degrees more room (a head tilted back 21 degrees may be this person's neutral)")
        #expect(gaze.observe(.init(yaw: 0, pitch: 42, horizontal: 0.5, vertical: 0), at: 3033) == .init(direction: .up, basis: "head_pose", strength: 0.2))
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
