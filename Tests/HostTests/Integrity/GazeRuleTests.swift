import ProctorHost
import ProctorJSON
import ProctorTestSupport
import Testing

/// The camera's rules on scripted `gaze.*` streams, each at its threshold.
@Suite struct GazeRuleTests {
    func away(until end: Double, minimum: Double = 6) throws -> (RuleRun, [UInt64]) {
        var script = ScriptedEvents()
        let a = script.at(1, "gaze.away", ["state": "started", "direction": "down", "t_ms": 1000, "basis": "head_and_eyes"])
        let b = script.at(end, "gaze.away", ["state": "ended", "direction": "down", "duration_ms": .number((end - 1) * 1000), "t_ms": 0, "basis": "head_and_eyes"])
        return (RuleRun(try RuleRun.rule("look_away", ["min_s": .number(minimum)]), script), [a, b])
    }

    @Test func lookingAwayForTheMinimumRaisesAndResolvesWithBothEvents() throws {
        let (run, seqs) = try away(until: 7)
        let alert = try #require(run.only)
        #expect(alert.id == "look_away#1" && alert.state == .resolved && alert.evidence == seqs)
        #expect(alert.startedSeconds == 1 && alert.endedSeconds == 7 && alert.message == "looked down for 6.0 s")
        #expect(run.published.map { $0["state"] } == ["raised", "resolved"])
    }

    @Test func lookingAwayJustUnderTheMinimumIsSilent() throws {
        #expect(try away(until: 6.999).0.alerts.isEmpty)
    }

    @Test func aLookAwayStillGoingIsRaisedWhenTimeReachesTheMinimum() throws {
        var script = ScriptedEvents()
        let a = script.at(1, "gaze.away", ["state": "started", "direction": "left", "t_ms": 1000, "basis": "head_pose"])
        let rule = try RuleRun.rule("look_away", ["min_s": 6])
        #expect(RuleRun(rule, script, advanceTo: 6.999).alerts.isEmpty)
        let run = RuleRun(rule, script, advanceTo: 7)
        #expect(run.only?.state == .raised && run.only?.evidence == [a] && run.only?.endedAt == nil)
        #expect(run.published.count == 1 && run.published[0]["ended_at"] == .null && run.published[0]["duration_s"] == 6)
        let finished = RuleRun(rule, script, finish: 9)
        #expect(finished.only?.state == .resolved && finished.only?.endedSeconds == 9)
    }

    func glances(at times: [Double], direction: String = "down", count: Int = 3) throws -> (RuleRun, [UInt64]) {
        var script = ScriptedEvents()
        var starts: [UInt64] = []
        for t in times {
            starts.append(script.at(t, "gaze.away", ["state": "started", "direction": .string(direction), "t_ms": 0, "basis": "head_and_eyes"]))
            script.at(t + 0.5, "gaze.away", ["state": "ended", "direction": .string(direction), "duration_ms": 500, "t_ms": 0, "basis": "head_and_eyes"])
        }
        return (RuleRun(try RuleRun.rule("repeated_glances", ["count": .number(Double(count)), "window_s": 10]), script, advanceTo: 40), starts)
    }

    @Test func glancesToOneRegionWithinTheWindowRaiseAndResolveWhenTheWindowPasses() throws {
        let (run, starts) = try glances(at: [0, 5, 10])
        let alert = try #require(run.only)
        #expect(alert.evidence == starts && alert.startedSeconds == 0 && alert.message == "glanced down 3 times in 10.0 s")
        // Resolved when the first glance leaves the window.
        #expect(alert.state == .resolved && alert.endedSeconds == 10)
    }

    @Test func glancesJustOutsideTheWindowOrUpwardAreSilent() throws {
        #expect(try glances(at: [0, 5, 10.001]).0.alerts.isEmpty)
        #expect(try glances(at: [0, 5, 10], direction: "up").0.alerts.isEmpty)  // up is not counted by default
        #expect(try glances(at: [0, 5], count: 3).0.alerts.isEmpty)
    }

    @Test func calibratedGlancesAreGroupedByTheirOffScreenCorner() throws {
        var script = ScriptedEvents()
        script.at(0, "screen.monitors", ["reason": "start", "count": 1, "monitors": [[
            "name": "m", "x": 0, "y": 0, "width": 1000, "height": 800, "primary": true, "width_mm": 300, "height_mm": 200,
        ]]])
        var starts: [UInt64] = []
        for (i, point) in [[-50, 900], [-80, 950], [500, 1000]].enumerated() {
            let t = Double(i) * 2 + 1
            starts.append(script.at(t, "gaze.away", ["state": "started", "direction": "down", "t_ms": 0, "basis": "calibrated"]))
            script.at(t + 0.1, "gaze.sample", ["frame": 1, "t_ms": 0, "faces": 1, "screen": .array(point.map { .number(Double($0)) })])
            script.at(t + 0.5, "gaze.away", ["state": "ended", "direction": "down", "duration_ms": 500, "t_ms": 0, "basis": "calibrated"])
        }
        let two = RuleRun(try RuleRun.rule("repeated_glances", ["count": 2, "window_s": 10]), script)
        // Two to the lower left, one straight down: only the corner repeats.
        let alert = try #require(two.only)
        #expect(alert.message.hasPrefix("glanced down-left 2 times") && alert.evidence == Array(starts.prefix(2)))
    }

    func frames(noFaceFrom start: Double, to end: Double, faces: Int = 0, rule: Guidelines) -> (RuleRun, [UInt64]) {
        var script = ScriptedEvents()
        var without: [UInt64] = []
        var t = 0.0
        while t <= end + 1 {
            let absent = t >= start && t < end
            let seq = script.at(t, "gaze.sample", ["frame": 0, "t_ms": .number(t * 1000), "faces": .number(Double(absent ? faces : 1))], plugin: "gaze")
            if absent { without.append(seq) }
            t = ((t + 0.25) * 1000).rounded() / 1000
        }
        return (RuleRun(rule, script), without)
    }

    @Test func noFaceForTheMinimumCitesEveryFrameWithoutAFace() throws {
        let (run, without) = frames(noFaceFrom: 2, to: 7, rule: try RuleRun.rule("face_absent", ["min_s": 5]))
        let alert = try #require(run.only)
        #expect(alert.evidence == without && alert.startedSeconds == 2 && alert.endedSeconds == 7)
        #expect(alert.message == "no face in view for 5.0 s")
        let (short, _) = frames(noFaceFrom: 2, to: 6.75, rule: try RuleRun.rule("face_absent", ["min_s": 4.75]))
        #expect(short.only?.evidence.count == 19)
        #expect(frames(noFaceFrom: 2, to: 6.75, rule: try RuleRun.rule("face_absent", ["min_s": 5])).0.alerts.isEmpty)
    }

    /// A camera that stops seeing is not an absent face.
    @Test func aDegradedCameraEndsTheAbsenceWithoutAnAlert() throws {
        var script = ScriptedEvents()
        script.at(0, "gaze.sample", ["frame": 0, "t_ms": 0, "faces": 0], plugin: "gaze")
        script.at(3, "plugin.state", ["plugin": "gaze", "state": "degraded", "reason": "camera gone", "restarts": 0])
        let run = RuleRun(try RuleRun.rule("face_absent", ["min_s": 5]), script, advanceTo: 60)
        #expect(run.alerts.isEmpty)
    }

    @Test func aSecondFaceForTheMinimumRaisesAndOneMoreFrameLessDoesNot() throws {
        let rule = try RuleRun.rule("multiple_faces", ["min_s": 2], severity: "high")
        let (run, with) = frames(noFaceFrom: 1, to: 3, faces: 2, rule: rule)
        #expect(run.only?.evidence == with && run.only?.severity == .high && run.only?.message == "up to 2 faces in view for 2.0 s")
        #expect(frames(noFaceFrom: 1, to: 2.75, faces: 2, rule: rule).0.alerts.isEmpty)
        #expect(frames(noFaceFrom: 1, to: 9, faces: 1, rule: rule).0.alerts.isEmpty)
    }
}
