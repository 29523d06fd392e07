import Foundation
import ProctorJSON

/// The gaze plugin's signals judged on the evaluation set's videos under
/// every perturbation (`make vision-clips` writes them, lossless, with
/// Tests/VisionBench/clips.cpp): blinks and longer closures against the
/// closures in MediaPipe's reference openness, event by event, and false
/// `gaze.away` per minute on clips where the subject faces the camera.
/// Shared by `proctord-bench gaze` and GazeTests, so both judge alike.
public enum GazeSignalEvaluation {
    /// One perturbed clip from the manifest.
    public struct Clip: Sendable {
        public let source, variant, path, reference: String
        public let framesPerSecond: Double
    }

    /// Both eyes shut in the reference over `frames` (end exclusive).
    public struct Closure: Equatable, Sendable {
        public let frames: Range<Int>
    }

    /// Events found against events in the reference, for one kind.
    public struct Tally: Sendable {
        public var reported = 0, reportedRight = 0, reference = 0, referenceFound = 0
        public var precision: Double { reported == 0 ? 100 : 100 * Double(reportedRight) / Double(reported) }
        public var recall: Double { reference == 0 ? 100 : 100 * Double(referenceFound) / Double(reference) }
    }

    public struct Score: Sendable {
        public let clip: Clip
        public var blinks = Tally(), closures = Tally()
        /// Reported blinks that overlap a reference closure of `closedMinimum` or longer.
        public var closuresReportedAsBlinks = 0
        public var awayStarted = 0
        public var awayConfidences: [Double] = []
        public var minutes = 0.0
        public var awayPerMinute: Double { minutes > 0 ? Double(awayStarted) / minutes : 0 }
    }

    /// A blink is a closure shorter than this; longer ones are gaze.eyes_closed (the plugin's default).
    public static let closedMinimum = 400.0

    public static var manifest: String { TestBuild.repositoryRoot + "/.build-vision/clips/clips.tsv" }

    /// The clips `make vision-clips` wrote, in its order.
    public static func clips() throws -> [Clip] {
        guard let text = try? String(contentsOfFile: manifest, encoding: .utf8) else {
            throw WebSocketTestClient.Failure(description: "\(manifest) is missing: run `make vision-clips` (make test and make bench do)")
        }
        return try text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in
            let fields = line.split(separator: "\t").map(String.init)
            guard fields.count == 5, let fps = Double(fields[4]), fps > 0 else {
                throw WebSocketTestClient.Failure(description: "\(manifest): bad line \(JSONWriter.quoted(String(line)))")
            }
            let path = fields[2].hasPrefix("/") ? fields[2] : TestBuild.repositoryRoot + "/" + fields[2]
            return Clip(source: fields[0], variant: fields[1], path: path,
                        reference: TestBuild.repositoryRoot + "/Tests/Fixtures/pupil-reference/" + fields[3], framesPerSecond: fps)
        }
    }

    /// Runs of frames where the reference has a face with both eyes shut, and the clip's frame count.
    public static func referenceClosures(_ path: String) throws -> (closures: [Closure], frames: Int) {
        let json = try JSONParser.parse(String(contentsOfFile: path, encoding: .utf8))
        let frames = json["frames"]?.arrayValue ?? []
        var closures: [Closure] = []
        var start: Int?
        for (index, frame) in frames.enumerated() {
            let shut = frame["left"]?["open"] == false && frame["right"]?["open"] == false
            if shut, start == nil { start = index }
            if !shut, let first = start {
                closures.append(Closure(frames: first..<index))
                start = nil
            }
        }
        if let first = start { closures.append(Closure(frames: first..<frames.count)) }
        return (closures, frames.count)
    }

    /// Replays the clip through the real plugin (a fresh instance, `config`
    /// over the defaults) and scores its events.
    public static func score(_ clip: Clip, config: JSONValue = [:]) throws -> Score {
        let replay = try GazeReplay(config: config)
        try replay.replay(clip.path)
        let (closures, frameCount) = try referenceClosures(clip.reference)
        return score(clip, blinks: replay.data("gaze.blink"), eyesClosed: replay.data("gaze.eyes_closed"),
                     away: replay.data("gaze.away"), reference: closures, frames: frameCount)
    }

    /// A reported event and a reference closure match when their frames
    /// overlap or touch (a lid half way down is read either way, so the
    /// ends may differ by a frame).
    public static func score(_ clip: Clip, blinks: [JSONValue], eyesClosed: [JSONValue], away: [JSONValue],
                             reference: [Closure], frames: Int) -> Score
    {
        let frameMs = 1000 / clip.framesPerSecond
        func span(_ start: Int, _ durationMs: Double) -> Range<Int> {
            start..<max(start + 1, start + Int((durationMs / frameMs).rounded()))
        }
        let reportedBlinks = blinks.compactMap { b in
            b["frame"]?.intValue.map { span($0, b["duration_ms"]?.doubleValue ?? 0) }
        }
        // A closure started but never ended lasts to the clip's end.
        var reportedClosures: [Range<Int>] = []
        for started in eyesClosed where started["state"]?.stringValue == "started" {
            guard let start = started["frame"]?.intValue else { continue }
            let ended = eyesClosed.first { $0["state"]?.stringValue == "ended" && $0["frame"]?.intValue == start }
            reportedClosures.append(ended.map { span(start, $0["duration_ms"]?.doubleValue ?? 0) } ?? start..<frames)
        }
        func overlaps(_ a: Range<Int>, _ b: Range<Int>) -> Bool { a.lowerBound <= b.upperBound && b.lowerBound <= a.upperBound }
        let isLong = { (c: Closure) in Double(c.frames.count) * frameMs >= closedMinimum }
        let referenceBlinks = reference.filter { !isLong($0) }.map(\.frames)
        let referenceLong = reference.filter(isLong).map(\.frames)
        func tally(_ found: [Range<Int>], _ truth: [Range<Int>]) -> Tally {
            Tally(reported: found.count, reportedRight: found.filter { f in truth.contains { overlaps(f, $0) } }.count,
                  reference: truth.count, referenceFound: truth.filter { t in found.contains { overlaps(t, $0) } }.count)
        }
        var score = Score(clip: clip)
        score.blinks = tally(reportedBlinks, referenceBlinks)
        score.closures = tally(reportedClosures, referenceLong)
        score.closuresReportedAsBlinks = reportedBlinks.filter { b in referenceLong.contains { overlaps(b, $0) } }.count
        let started = away.filter { $0["state"]?.stringValue == "started" }
        score.awayStarted = started.count
        score.awayConfidences = started.compactMap { $0["confidence"]?.doubleValue }
        score.minutes = Double(frames) * frameMs / 60_000
        return score
    }
}
