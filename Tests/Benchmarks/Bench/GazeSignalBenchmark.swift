import Foundation
import ProctorTestSupport

/// The gaze plugin's signals on the evaluation set's videos, per source and
/// perturbation, through the real plugin library (the Swift signal code
/// included) with its default config: blinks and closures against the
/// reference's openness, event by event, and false `gaze.away` per minute.
/// Both clips face the camera throughout (feat-video-b tilts the head back
/// with the eyes on the camera), so every `gaze.away` on them is false.
struct GazeSignalBenchmark {
    func run() throws -> [Figure] {
        let scores = try GazeSignalEvaluation.clips().map { try GazeSignalEvaluation.score($0) }
        print("  per clip (make vision-clips; default config; precision / recall; events match when their frames overlap or touch):")
        print("  source        variant     min  away/min (confidence)       blinks: ref  P / R %        closures: ref  P / R %    closures as blinks")
        for s in scores {
            let confidence = s.awayConfidences.map { String(format: "%.2f", $0) }.joined(separator: ",")
            let away = String(format: "%5.1f", s.awayPerMinute) + (confidence.isEmpty ? "" : " (\(confidence))")
            let columns = [
                s.clip.source.padding(toLength: 13, withPad: " ", startingAt: 0), s.clip.variant.padding(toLength: 9, withPad: " ", startingAt: 0),
                String(format: "%5.2f", s.minutes), away.padding(toLength: 26, withPad: " ", startingAt: 0),
                String(format: "%10d  %5.1f / %5.1f", s.blinks.reference, s.blinks.precision, s.blinks.recall),
                String(format: "%14d  %5.1f / %5.1f", s.closures.reference, s.closures.precision, s.closures.recall),
                String(format: "%8d", s.closuresReportedAsBlinks),
            ]
            print("  " + columns.joined(separator: " "))
        }
        let minutes = scores.reduce(0) { $0 + $1.minutes }
        let withBlinks = scores.filter { $0.blinks.reference > 0 }, withClosures = scores.filter { $0.closures.reference > 0 }
        return [
            Figure(name: "gaze.away false alarms/min, frontal clips, every variant", value: Double(scores.reduce(0) { $0 + $1.awayStarted }) / minutes,
                   unit: "/min", target: 0, higherIsBetter: false),
            Figure(name: "gaze.away false alarms/min, worst clip", value: scores.map(\.awayPerMinute).max() ?? 0,
                   unit: "/min", target: 0, higherIsBetter: false),
            Figure(name: "closures of 400 ms or more reported as blinks", value: Double(scores.reduce(0) { $0 + $1.closuresReportedAsBlinks }),
                   unit: "", target: 0, higherIsBetter: false),
            Figure(name: "blink recall, worst clip", value: withBlinks.map(\.blinks.recall).min() ?? 0, unit: "%", target: nil, higherIsBetter: true),
            Figure(name: "blink precision, worst clip", value: scores.map(\.blinks.precision).min() ?? 0, unit: "%", target: nil, higherIsBetter: true),
            Figure(name: "closure recall, worst clip", value: withClosures.map(\.closures.recall).min() ?? 0, unit: "%", target: nil, higherIsBetter: true),
            Figure(name: "closure precision, worst clip", value: scores.map(\.closures.precision).min() ?? 0, unit: "%", target: nil, higherIsBetter: true),
        ]
    }
}
