@testable import ProctorHost
import ProctorJSON
import ProctorTestSupport
import Testing

/// The gaze analytics on scripted event streams, against figures worked out
/// by hand from the script.
@Suite struct GazeAnalyticsTests {
    static let t0: Int64 = 1_796_637_600_000
    static let monitors = #"{"reason":"start","count":2,"monitors":[{"name":"HDMI-1","x":1600,"y":0,"width":1280,"height":1024,"primary":false,"width_mm":0,"height_mm":0},{"name":"DP-1","x":0,"y":0,"width":1600,"height":900,"primary":true,"width_mm":0,"height_mm":0}]}"#

    /// A gaze.sample as the gaze plugin writes it.
    static func sample(screen: (Double, Double)? = nil, yaw: Double = 0, pitch: Double = 0, h: Double = 0.5, v: Double = 0, face: Bool = true) -> String {
        let point = screen.map { "[\($0.0),\($0.1)]" } ?? "null"
        let pose = face ? #"{"yaw":\#(yaw),"pitch":\#(pitch),"roll":0}"# : "null"
        let ratio = face ? #"{"h":\#(h),"v":\#(v)}"# : "null"
        return #"{"frame":1,"t_ms":0,"faces":\#(face ? 1 : 0),"face":\#(face ? "[1,2,3,4]" : "null"),"pupils":{"left":null,"right":null},"head_pose":\#(pose),"eyes":null,"blink":false,"ratio":\#(ratio),"screen":\#(point),"confidence":0.9}"#
    }

    /// Samples every `every` ms from `from` (inclusive) to `to` (exclusive).
    static func feed(_ analytics: inout GazeAnalytics, from: Int64, to: Int64, every: Int64 = 100, _ data: String) {
        var ms = from
        while ms < to {
            analytics.add(topic: "gaze.sample", data: data, at: t0 + ms)
            ms += every
        }
    }

    @Test func theHeatmapHoldsTheDwellWhereItWasOnAGridOfTheScreensShape() throws {
        var analytics = GazeAnalytics(startMs: Self.t0)
        analytics.add(topic: "screen.monitors", data: Self.monitors, at: Self.t0)
        Self.feed(&analytics, from: 0, to: 10_000, Self.sample(screen: (400, 225)))
        Self.feed(&analytics, from: 10_000, to: 15_000, Self.sample(screen: (1200, 675)))
        Self.feed(&analytics, from: 15_000, to: 16_000, Self.sample(screen: (1700, 100)))  // right of the primary monitor
        analytics.finish(at: Self.t0 + 16_000)
        let (grid, screen) = try #require(analytics.screenGrid(analytics.whole))
        // The primary monitor, 1600 x 900: 32 columns, 18 rows.
        #expect(screen.width == 1600 && screen.height == 900 && screen.source == "screen.monitors")
        #expect(grid.columns == 32 && grid.rows == 18)
        // (400, 225) is column 8, row 4; (1200, 675) column 24, row 13.
        #expect(grid.cells[4 * 32 + 8] == 10_000)
        #expect(grid.cells[13 * 32 + 24] == 5_000)
        #expect(grid.insideMilliseconds == 15_000 && grid.outsideMilliseconds == 1_000)
        #expect(grid.peak! == (8, 4))
        let json = analytics.json(analytics.whole)
        #expect(json["basis"] == "calibrated" && json["notice"] == nil)
        #expect(json["calibrated_s"] == 16 && json["observed_s"] == 16 && json["on_screen_s"] == 16)
    }

    @Test func phasesSplitTheDwellAndTheCounts() throws {
        var analytics = GazeAnalytics(startMs: Self.t0)
        analytics.add(topic: "screen.monitors", data: Self.monitors, at: Self.t0)
        analytics.add(topic: "interview.phase", data: #"{"interview":"i_x","name":"question 1"}"#, at: Self.t0)
        Self.feed(&analytics, from: 0, to: 6_000, Self.sample(screen: (400, 225)))
        analytics.add(topic: "gaze.blink", data: #"{"frame":3,"duration_ms":100}"#, at: Self.t0 + 3_000)
        // The phase changes between two samples: the sample before it counts until the change.
        analytics.add(topic: "interview.phase", data: #"{"interview":"i_x","name":"question 2"}"#, at: Self.t0 + 6_050)
        Self.feed(&analytics, from: 6_100, to: 10_000, Self.sample(screen: (1200, 675)))
        analytics.add(topic: "gaze.blink", data: #"{"frame":9,"duration_ms":100}"#, at: Self.t0 + 7_000)
        analytics.add(topic: "gaze.blink", data: #"{"frame":9,"duration_ms":100}"#, at: Self.t0 + 8_000)
        analytics.finish(at: Self.t0 + 10_000)
        // Marked at the very start: no stretch before the first phase is shown.
        let phases = analytics.shownPhases
        #expect(phases.map(\.name) == ["question 1", "question 2"])
        let (first, _) = try #require(analytics.screenGrid(phases[0]))
        let (second, _) = try #require(analytics.screenGrid(phases[1]))
        #expect(first.cells[4 * 32 + 8] == 6_050 && first.insideMilliseconds == 6_050)
        // The last sample of question 1 is still where the gaze is until the next one, 50 ms into question 2.
        #expect(second.cells[13 * 32 + 24] == 3_900 && second.cells[4 * 32 + 8] == 50 && second.insideMilliseconds == 3_950)
        #expect(phases[0].blinks == 1 && phases[1].blinks == 2 && analytics.whole.blinks == 3)
        #expect(analytics.json(phases[1])["duration_s"] == 3.95)
        #expect(analytics.json(phases[1])["started_at"]?.stringValue == Timestamp(millisecondsSinceEpoch: Self.t0 + 6_050).rfc3339)
    }

    @Test func beforeCalibrationTheMapIsOfHeadAndEyesAndSaysSo() throws {
        var analytics = GazeAnalytics(startMs: Self.t0)
        analytics.add(topic: "screen.monitors", data: Self.monitors, at: Self.t0)
        // Head turned 10 degrees to the person's right (yaw -10) and 15 down (pitch -15),
        // eyes centred: straight ahead plus (10, 15) degrees, column (10 + 45) / 3 = 18, row (15 + 30) / 3 = 15.
        Self.feed(&analytics, from: 0, to: 4_000, Self.sample(yaw: -10, pitch: -15))
        // Eyes to the left (h 0.6: 8 degrees at 80 per ratio) under a head turned left 4: (-12, 0): column 11, row 10.
        Self.feed(&analytics, from: 4_000, to: 5_000, Self.sample(yaw: 4, h: 0.6))
        analytics.finish(at: Self.t0 + 5_000)
        let json = analytics.json(analytics.whole)
        #expect(json["basis"] == "uncalibrated")
        #expect(json["notice"]?.stringValue?.hasPrefix("Not calibrated") == true)
        #expect(json["heatmap"] == .null)
        let map = try #require(json["direction_heatmap"])
        #expect(map["basis"] == "uncalibrated" && map["columns"] == 30 && map["rows"] == 20)
        #expect(map["peak"] == [18, 15])
        let cells = try #require(map["cells"]?.arrayValue)
        #expect(cells[15 * 30 + 18] == 4000 && cells[10 * 30 + 11] == 1000)
        #expect(json["calibrated_s"] == 0 && json["observed_s"] == 5)
    }

    @Test func fixationsSaccadesBlinksAndAwayTimeMatchTheScript() throws {
        // A minute of calibrated samples with the other events among them, fed in time order as seqs come.
        var script: [(ms: Int64, topic: String, data: String)] = stride(from: Int64(0), to: 60_000, by: 100).map {
            ($0, "gaze.sample", Self.sample(screen: (500, 500)))
        }
        // Three fixations, each starting 200 ms after the last ended: two saccades.
        for (end, duration) in [(1_200, 200), (1_700, 300), (2_500, 400)] {
            script.append((Int64(end), "gaze.fixation", #"{"x":500,"y":500,"duration_ms":\#(duration),"samples":6}"#))
        }
        // A fourth 10 s later: a fixation, but no saccade from the last.
        script.append((12_800, "gaze.fixation", #"{"x":500,"y":500,"duration_ms":300,"samples":9}"#))
        for n in 0..<12 { script.append((Int64(n) * 5_000 + 50, "gaze.blink", #"{"frame":\#(n),"duration_ms":120}"#)) }
        script.append((30_000, "gaze.away", #"{"state":"started","direction":"down","basis":"calibrated"}"#))
        script.append((40_000, "gaze.away", #"{"state":"ended","direction":"down","duration_ms":10000,"basis":"calibrated"}"#))
        var analytics = GazeAnalytics(startMs: Self.t0)
        // A stable sort: at the same ms, the away change comes after the sample, as the plugin emits it.
        for event in script.enumerated().sorted(by: { ($0.element.ms, $0.offset) < ($1.element.ms, $1.offset) }).map(\.element) {
            analytics.add(topic: event.topic, data: event.data, at: Self.t0 + event.ms)
        }
        analytics.finish(at: Self.t0 + 60_000)
        let json = analytics.json(analytics.whole)
        #expect(json["fixations"] == ["count": 4, "calibrated": 4, "uncalibrated": 0, "mean_duration_ms": 300])
        // One minute with a face: the counts are the rates.
        #expect(json["saccades"] == ["count": 2, "per_minute": 2])
        #expect(json["blinks"] == ["count": 12, "per_minute": 12])
        #expect(json["away_s"] == 10 && json["on_screen_s"] == 50 && json["no_face_s"] == 0)
    }

    @Test func uncalibratedFixationsComeFromTheDirectionAndGapsAreNotDwell() {
        var analytics = GazeAnalytics(startMs: Self.t0)
        Self.feed(&analytics, from: 0, to: 500, Self.sample())            // straight ahead, 0 to 400
        Self.feed(&analytics, from: 500, to: 1_000, Self.sample(yaw: -20)) // 20 degrees right, 500 to 900
        Self.feed(&analytics, from: 6_000, to: 6_100, Self.sample(face: false)) // after 5 s without samples
        analytics.finish(at: Self.t0 + 6_200)
        let whole = analytics.whole
        // Two fixations of 400 ms, 100 ms apart: one saccade.
        #expect(whole.uncalibratedFixations == 2 && whole.calibratedFixations == 0 && whole.saccades == 1)
        #expect(analytics.json(whole)["fixations"]?["mean_duration_ms"] == 400)
        // The sample at 900 ms counts 1 s at most, not the 5.1 s until the next; the faceless one 200 ms.
        #expect(whole.observedMilliseconds == 1_900 && whole.noFaceMilliseconds == 200)
    }

    @Test func theLiveEventMatchesItsSchema() throws {
        var analytics = GazeAnalytics(startMs: Self.t0)
        analytics.add(topic: "interview.phase", data: #"{"interview":"i_x","name":"q"}"#, at: Self.t0 + 10)
        Self.feed(&analytics, from: 100, to: 2_000, Self.sample())
        Self.feed(&analytics, from: 2_000, to: 4_000, Self.sample(screen: (10, 10)))
        let data = LiveGazeAnalytics.data(interview: "i_x", analytics)
        let event = Event(seq: 1, timestamp: .now(), plugin: "host", topic: "gaze.heatmap", data: JSONWriter.compact(data))
        let problems = try TopicSchemas.load().problems(with: event)
        #expect(problems.isEmpty, "\(problems)")
        #expect(data["phase"]?["name"] == "q" && data["whole"]?["name"] == .null)
        // Calibrated only for half of it: it says so, and both maps are there.
        #expect(data["whole"]?["notice"]?.stringValue?.hasPrefix("Calibrated for 5") == true)
        #expect(data["whole"]?["heatmap"]?["screen"]?["source"] == "gaze_extent")
        #expect(data["whole"]?["direction_heatmap"] != .null)
    }

    @Test func theLiveHeatmapIsSentAtMostOncePerIntervalAndOnlyWhenChanged() {
        let nothing = [0.0, 0, 0, 0, 0, 1]
        let some = [100.0, 0, 0, 0, 0, 1], more = [200.0, 0, 0, 0, 0, 1]
        #expect(!LiveGazeAnalytics.isDue(last: nil, now: 0, signature: nothing, interval: 3000), "nothing to show yet")
        #expect(LiveGazeAnalytics.isDue(last: nil, now: 0, signature: some, interval: 3000), "the first")
        #expect(!LiveGazeAnalytics.isDue(last: (0, some), now: 2999, signature: more, interval: 3000), "too soon")
        #expect(LiveGazeAnalytics.isDue(last: (0, some), now: 3000, signature: more, interval: 3000), "the interval passed")
        #expect(!LiveGazeAnalytics.isDue(last: (0, some), now: 60_000, signature: some, interval: 3000), "unchanged")
    }

    @Test func aContinuedInterviewsLiveHeatmapCoversTheTimeBeforeTheRestart() async throws {
        let dir = TemporaryDirectory("proctord-live-gaze")
        let synthetic = try SyntheticInterview.write(directory: dir.path, minutes: 1)
        let bus = EventBus()
        let live = LiveGazeAnalytics(bus: bus, directory: dir.path)
        let heatmaps = bus.subscribe(name: "test", patterns: [TopicPattern("gaze.heatmap")!], capacity: 16)
        // Published before `run`, as the agent's start-up does.
        bus.publish(topic: "interview.resumed", data: ["interview": .string(synthetic.id), "first_new_seq": .number(1e9), "missed": 0])
        let task = Task { await live.run() }
        defer { task.cancel() }
        let heatmap = try #require(await heatmaps.next())
        let whole = try #require(try JSONParser.parse(heatmap.data)["whole"])
        let stored = try InterviewArchive(directory: dir.path).report(synthetic.id).analytics
        #expect(whole["fixations"]?["count"]?.intValue == stored.whole.fixations && stored.whole.fixations > 0)
        #expect(whole["blinks"]?["count"]?.intValue == stored.whole.blinks && stored.whole.blinks > 0)
        #expect(whole["heatmap"]?["screen"]?["width"] == 1920 && whole["heatmap"]?["screen"]?["source"] == "screen.monitors")
    }
}
