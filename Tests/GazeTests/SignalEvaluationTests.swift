import Foundation
import ProctorJSON
import ProctorTestSupport
import Testing

/// Issue 11: the plugin's signals on the evaluation set's videos under every
/// perturbation (`make vision-clips` writes them), judged as `make bench`
/// judges them (GazeSignalEvaluation), each figure at a margin below what the
/// bench measured (one reference event, where a clip has five), so a
/// regression fails here.
@Suite(.serialized) struct SignalEvaluationTests {
    /// Floors in percent, from `proctord-bench gaze` (2026-12-07), one event below it.
    struct Floor {
        var blinkPrecision = 100.0, blinkRecall = 100.0, closurePrecision = 100.0, closureRecall = 100.0
        /// Closures of 400 ms or more that came out as one or more blinks (measured; the target is none).
        var closuresAsBlinks = 0
    }

    /// feat-video-a (single_face.mp4) has one blink and no closure; feat-video-b
    /// (WolfgangLanger_Pexels.mp4) five of each in the reference.
    static func floor(_ clip: GazeSignalEvaluation.Clip) -> Floor {
        switch (clip.source, clip.variant) {
        case ("feat-video-a", "glare"): return Floor(blinkRecall: 0)  // measured 0 %: the streak over the lid reads open
        case ("feat-video-a", _): return Floor()
        // measured blink precision / recall, closure precision / recall:
        case (_, "none"), (_, "brighter"), (_, "noise"), (_, "jpeg-q15"), (_, "320x180"):  // 75 / 60, 100 / 60
            return Floor(blinkPrecision: 55, blinkRecall: 40, closurePrecision: 75, closureRecall: 40)
        case (_, "darker"), (_, "roll-10"):  // 100 / 60, 100 / 60
            return Floor(blinkPrecision: 75, blinkRecall: 40, closurePrecision: 75, closureRecall: 40)
        case (_, "mirror"):  // 75 / 60, 100 / 40
            return Floor(blinkPrecision: 55, blinkRecall: 40, closurePrecision: 75, closureRecall: 20)
        case (_, "glare"):  // nothing is seen shut: 100 / 0, 100 / 0
            return Floor(blinkPrecision: 0, blinkRecall: 0, closurePrecision: 0, closureRecall: 0)
        case (_, "roll-20"):  // 42.9 / 60, 100 / 40, 4 closures as blinks
            return Floor(blinkPrecision: 25, blinkRecall: 40, closurePrecision: 75, closureRecall: 20, closuresAsBlinks: 4)
        case (_, "roll+10"):  // 50 / 40, 100 / 40, 1 closure as blinks
            return Floor(blinkPrecision: 30, blinkRecall: 20, closurePrecision: 75, closureRecall: 20, closuresAsBlinks: 1)
        default:  // roll+20: 23.1 / 60, 100 / 20, 5 closures as blinks
            return Floor(blinkPrecision: 10, blinkRecall: 40, closurePrecision: 0, closureRecall: 0, closuresAsBlinks: 5)
        }
    }

    /// Where feat-video-b's eyes turn up and to her left, visibly off the lens (head ~10 degrees and eyes
    /// ~15 from her neutral, against a 25 degree limit), in seconds: the only gaze.away allowed on these clips.
    static let eyesTurned: [ClosedRange<Double>] = [7.9...10.3, 11.5...13.2, 14.0...16.6]

    @Test func signalsHoldOnEveryPerturbedClip() throws {
        let clips = try GazeSignalEvaluation.clips()
        #expect(clips.count >= 24, "two videos, twelve variants each: \(clips.count)")
        for clip in clips {
            let replay = try GazeReplay()
            try replay.replay(clip.path)
            let (closures, frames) = try GazeSignalEvaluation.referenceClosures(clip.reference)
            let away = replay.data("gaze.away")
            let score = GazeSignalEvaluation.score(clip, blinks: replay.data("gaze.blink"), eyesClosed: replay.data("gaze.eyes_closed"),
                                                   away: away, reference: closures, frames: frames)
            let name = "\(clip.source) \(clip.variant)"
            let floor = Self.floor(clip)
            #expect(score.closuresReportedAsBlinks <= floor.closuresAsBlinks, "\(name): \(score.closuresReportedAsBlinks) closures of 400 ms or more reported as blinks")
            #expect(score.blinks.recall >= floor.blinkRecall && score.blinks.precision >= floor.blinkPrecision, "\(name): blinks \(score.blinks)")
            #expect(score.closures.recall >= floor.closureRecall && score.closures.precision >= floor.closurePrecision,
                    "\(name): closures \(score.closures)")
            // Both clips face the camera: no gaze.away but where the eyes visibly turn up and aside, and those
            // only just over the limit (left, right when mirrored; up twice, rolled +20 degrees and under glare). Known and measured: rolled by -10 degrees, the final closure's
            // half-shut eyes (not seen shut there) read "down" (confidence 0.66) from 19.0 s.
            for event in away where event["state"]?.stringValue == "started" {
                let seconds = (event["t_ms"]?.doubleValue ?? -1) / 1000
                let direction = event["direction"]?.stringValue ?? ""
                if clip.source == "feat-video-b", clip.variant == "roll-10", direction == "down", seconds >= 18.3 { continue }
                #expect(clip.source == "feat-video-b" && ["left", "right", "up"].contains(direction) && Self.eyesTurned.contains { $0.contains(seconds) },
                        "\(name): a false gaze.away \(event)")
                #expect((event["confidence"]?.doubleValue ?? 1) < 0.3, "\(name): only just over the limit: \(event)")
            }
        }
    }
}
