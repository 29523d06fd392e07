import ProctorHost
import ProctorJSON

/// A made-up interview of any length, written as a `ScriptedInterview`: gaze
/// samples at `sampleRate` per second (head pose only for the first fifth,
/// then calibrated, the gaze dwelling near one point per phase), phases,
/// blinks, fixations, a look away per phase, three seconds without a face,
/// the gaze plugin degraded for a while, heartbeat ticks, alerts and an
/// integrity summary. For the report's tests and its benchmark.
public struct SyntheticInterview {
    public static let monitor = (width: 1920.0, height: 1080.0)
    /// Where the calibrated gaze dwells in phase k: a different part of the screen each time.
    public static func target(phase k: Int) -> (x: Double, y: Double) {
        let spots: [(Double, Double)] = [(400, 300), (1500, 300), (960, 540), (400, 800), (1500, 800)]
        return spots[k % spots.count]
    }

    public let id: String
    public let path: String
    public let startMs: Int64
    public let endMs: Int64
    public let phases: [String]
    /// The seqs of the frames without a face: the face-absent alert's evidence.
    public let noFaceSeqs: [Int64]
    public let events: Int

    public static func write(directory: String, id: String = "i_20261207T100000Z_5e1f2a", minutes: Double, sampleRate: Double = 30,
                             startMs: Int64 = 1_796_637_600_000, withEngine: Bool = true) throws -> SyntheticInterview {
        let plugins = ["gaze", "screen", "desktop", "heartbeat"].map { PluginState(plugin: $0, name: .running) }
        let file = try ScriptedInterview(directory: directory, id: id, title: "Synthetic, \(Int(minutes)) min", startMs: startMs, initialStates: plugins)
        let endMs = startMs + Int64(minutes * 60_000)
        let duration = endMs - startMs
        let phaseCount = 4
        let phases = ["introduction"] + (1..<phaseCount).map { "question \($0)" }
        let phaseStart = (0..<phaseCount).map { startMs + 10 + Int64($0) * (duration - 10) / Int64(phaseCount) }
        let calibratedFrom = startMs + duration / 5
        let noFace = (startMs + duration / 2 + 7000)..<(startMs + duration / 2 + 10_000)
        let degraded = (startMs + duration * 6 / 10)..<(startMs + duration * 6 / 10 + 20_000)
        var random = SplitMix(state: 7)
        var noFaceSeqs: [Int64] = []
        var phase = -1
        var nextTick = startMs + 1000, nextBlink = startMs + 2500, nextFixation = calibratedFrom + 400, calibrationSent = false
        var awayUntil: Int64?
        var degradedSent = false, recoveredSent = false
        file.add(at: startMs + 5, "screen", "screen.monitors",
                 #"{"reason":"start","count":1,"monitors":[{"name":"DP-1","x":0,"y":0,"width":1920,"height":1080,"primary":true,"width_mm":527,"height_mm":296}]}"#)
        let step = 1000 / sampleRate
        var frame = 0
        var t = Double(startMs + 10)
        while Int64(t) < endMs {
            let ms = Int64(t)
            if phase + 1 < phaseCount, ms >= phaseStart[phase + 1] {
                phase += 1
                file.add(at: ms, "host", "interview.phase", ["interview": .string(id), "name": .string(phases[phase])])
                awayUntil = nil
            }
            if ms >= nextTick {
                file.add(at: ms, "heartbeat", "heartbeat.tick", #"{"n":\#((ms - startMs) / 1000),"interval_ms":1000,"monotonic_ms":\#(ms - startMs)}"#)
                nextTick += 1000
            }
            if !calibrationSent, ms >= calibratedFrom - 5000 {
                for index in 0..<9 { file.add(at: ms + Int64(index), "gaze", "gaze.calibration", #"{"phase":"collected","run":1,"index":\#(index),"samples":24}"#) }
                calibrationSent = true
            }
            // Look away (down) for 5 s once per phase, 20 s into it.
            let phaseMs = phase >= 0 ? ms - phaseStart[phase] : 0
            if awayUntil == nil, phaseMs >= 20_000 {
                awayUntil = ms + 5000
                file.add(at: ms, "gaze", "gaze.away", #"{"state":"started","direction":"down","t_ms":\#(ms - startMs),"basis":"\#(ms >= calibratedFrom ? "calibrated" : "head_and_eyes")"}"#)
            } else if let until = awayUntil, until > 0, ms >= until {
                file.add(at: ms, "gaze", "gaze.away", #"{"state":"ended","direction":"down","duration_ms":5000,"t_ms":\#(ms - startMs),"basis":"\#(ms >= calibratedFrom ? "calibrated" : "head_and_eyes")"}"#)
                awayUntil = 0
            }
            let faceless = noFace.contains(ms)
            let calibrated = ms >= calibratedFrom && !faceless
            let spot = target(phase: max(phase, 0))
            let x = spot.x + random.jitter(60), y = spot.y + random.jitter(40)
            let yaw = random.jitter(3), pitch = -5 + random.jitter(2)
            let face = faceless ? "null" : "[200,90,240,240]"
            let pose = faceless ? "null" : #"{"yaw":\#(yaw),"pitch":\#(pitch),"roll":0.4}"#
            let ratio = faceless ? "null" : #"{"h":\#(0.5 + random.jitter(0.05)),"v":\#(random.jitter(0.05))}"#
            let eyes = faceless ? "null" : #"{"left":{"openness":0.3,"closed":false},"right":{"openness":0.3,"closed":false}}"#
            let pupils = faceless ? #"{"left":null,"right":null}"# : #"{"left":[352.5,190.25],"right":[268.75,188.5]}"#
            let seq = file.add(at: ms, "gaze", "gaze.sample",
                               #"{"frame":\#(frame),"t_ms":\#(ms - startMs),"faces":\#(faceless ? 0 : 1),"face":\#(face),"pupils":\#(pupils),"head_pose":\#(pose),"eyes":\#(eyes),"blink":false,"ratio":\#(ratio),"screen":\#(calibrated ? "[\(x.rounded()),\(y.rounded())]" : "null"),"confidence":\#(faceless ? 0 : 0.9)}"#)
            if faceless { noFaceSeqs.append(seq) }
            if !faceless, ms >= nextBlink {
                file.add(at: ms, "gaze", "gaze.blink", #"{"frame":\#(frame),"duration_ms":120}"#)
                nextBlink += 3000
            }
            if calibrated, ms >= nextFixation {
                file.add(at: ms, "gaze", "gaze.fixation", #"{"x":\#(spot.x),"y":\#(spot.y),"duration_ms":300,"samples":9}"#)
                nextFixation += 400
            }
            if ms >= degraded.lowerBound, !degradedSent {
                file.add(at: ms, "host", "plugin.state", #"{"plugin":"gaze","state":"degraded","reason":"no frames: the camera stalled","restarts":0}"#)
                degradedSent = true
            }
            if ms >= degraded.upperBound, !recoveredSent {
                file.add(at: ms, "host", "plugin.state", #"{"plugin":"gaze","state":"running","restarts":0}"#)
                recoveredSent = true
            }
            frame += 1
            t += step
        }
        if withEngine {
            let raised = noFace.lowerBound + 2000
            let evidence = JSONValue.array(noFaceSeqs.map { .number(Double($0)) })
            var alert: JSONObject = ["alert": "a_1", "rule": "face_absent", "severity": "medium", "state": "raised",
                                     "message": "no face in view for 2.0 s", "started_at": .string(Timestamp(millisecondsSinceEpoch: noFace.lowerBound).rfc3339),
                                     "ended_at": .null, "duration_s": 2, "evidence": evidence]
            file.add(at: raised, "host", "alert", .object(alert))
            alert["state"] = "resolved"
            alert["message"] = "no face in view for 3.0 s"
            alert["ended_at"] = .string(Timestamp(millisecondsSinceEpoch: noFace.upperBound).rfc3339)
            alert["duration_s"] = 3
            file.add(at: noFace.upperBound, "host", "alert", .object(alert))
            file.add(at: endMs - 1, "host", "integrity.summary", [
                "interview": .string(id), "score": 88, "max_score": 100, "duration_s": .number(Double(duration) / 1000),
                "deductions": [["rule": "face_absent", "text": "Face absent longer than 2 s", "severity": "medium", "count": 1, "duration_s": 3, "cost": 8, "cap": 30],
                               ["rule": "plugin_degraded", "text": "A plugin degraded mid-interview", "severity": "low", "count": 1, "duration_s": 20, "cost": 4, "cap": 10]],
                "rules": [["rule": "face_absent", "count": 1, "duration_s": 3]],
                "coverage": [["plugin": "gaze", "observed_s": .number(Double(duration) / 1000 - 20), "not_observed_s": 20, "share": 0.99]],
            ])
        }
        let count = Int(file.nextSeq - 100) + 1
        try file.finish(endMs: endMs)
        return SyntheticInterview(id: id, path: file.path, startMs: startMs, endMs: endMs, phases: phases, noFaceSeqs: noFaceSeqs, events: count)
    }
}
