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
    /// Floors in percent, from `proctord-bench gaze` (2026-12-07, after the rolled landmark fit, the lens reflections and the closures' reopening wait), one event below it.
    struct Floor {
        var blinkPrecision = 100.0, blinkRecall = 100.0, closurePrecision = 100.0, closureRecall = 100.0
    }

    /// feat-video-a (single_face.mp4) has one blink and no closure; feat-video-b
    /// (WolfgangLanger_Pexels.mp4) five of each in the reference.
    static func floor(_ clip: GazeSignalEvaluation.Clip) -> Floor {
        switch (clip.source, clip.variant) {
        case ("feat-video-a", _): return Floor()  // glare too since lens reflections are inpainted for the landmarks (0 % recall before)
        // measured blink precision / recall, closure precision / recall:
        case (_, "none"), (_, "brighter"), (_, "noise"), (_, "jpeg-q15"), (_, "320x180"), (_, "roll-10"):  // 75 / 60, 100 / 60
            return Floor(blinkPrecision: 55, blinkRecall: 40, closurePrecision: 75, closureRecall: 40)
        case (_, "darker"), (_, "roll+10"):  // 100 / 60, 100 / 60 (rolled by +10 before the closures' reopening wait: 60 / 60, 100 / 40, 2 closures as blinks)
            return Floor(blinkPrecision: 75, blinkRecall: 40, closurePrecision: 75, closureRecall: 40)
        case (_, "mirror"), (_, "roll-20"), (_, "roll+20"):  // 75 / 60, 100 / 40 (rolled by +-20 before: 42.9 and 23.1 % precise, 4 and 5 closures as blinks)
            return Floor(blinkPrecision: 55, blinkRecall: 40, closurePrecision: 75, closureRecall: 20)
        default:  // glare: 66.7 / 40, 100 / 100 since lens reflections are inpainted for the landmarks (before: 0 / 0, 100 / 0, 2 closures as blinks)
            return Floor(blinkPrecision: 33, blinkRecall: 20, closurePrecision: 75, closureRecall: 80)
        }
    }

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
            // The target, on every clip since the closures' reopening wait: no closure of 400 ms or more as blinks.
            #expect(score.closuresReportedAsBlinks == 0, "\(name): \(score.closuresReportedAsBlinks) closures of 400 ms or more reported as blinks")
            #expect(score.blinks.recall >= floor.blinkRecall && score.blinks.precision >= floor.blinkPrecision, "\(name): blinks \(score.blinks)")
            #expect(score.closures.recall >= floor.closureRecall && score.closures.precision >= floor.closurePrecision,
                    "\(name): closures \(score.closures)")
            // Both clips face the camera: every gaze.away is false. (Until the head's turn was read in the
            // neutral's rolled axes, rolled by -10 and -20 degrees feat-video-b gave one "left" at 9.5 s,
            // confidence 0.10 and 0.16: her head rising into a look at the limit leaked into the yaw.)
            let started = away.filter { $0["state"]?.stringValue == "started" }
            #expect(started.isEmpty, "\(name): a false gaze.away \(started)")
        }
    }
}
