import Foundation
import ProctorHost
import ProctorJSON
import ProctorTestSupport

/// The honest interview with a real camera: single_face.mp4 played again and
/// again through the real gaze plugin (in this process, as fast as it goes,
/// each event timed by the file's own frame clock so the rules see the
/// clip's real durations), merged with the scripted honest desktop (call
/// page full screen and focused, one monitor shared, heartbeats, every
/// plugin running, no clipboard), through the rule engine with the default
/// guidelines. Whatever it raises is a false alarm: per minute, by severity.
struct HonestReplayBenchmark {
    let minutes: Double

    func run() throws -> [Figure] {
        let clip = try GazeFixtures.file(GazeFixtures.singleFace)
        let gaze = try Self.gazeEvents(clip: clip, minutes: minutes)
        let desktop = HonestInterview.events(minutes: minutes).events.filter { !$0.topic.hasPrefix("gaze.") }
        // One stream in time order (the desktop's first at a tie: it sets the scene), numbered as the bus would.
        let merged = (desktop.enumerated().map { ($1, 0, $0) } + gaze.enumerated().map { ($1, 1, $0) })
            .sorted { ($0.0.timestamp, $0.1, $0.2) < ($1.0.timestamp, $1.1, $1.2) }
        let events = merged.enumerated().map { index, pair in
            Event(seq: UInt64(100 + index), timestamp: pair.0.timestamp, plugin: pair.0.plugin, topic: pair.0.topic, data: pair.0.data)
        }
        let end = ScriptedEvents.time(minutes * 60)
        var tracker = IntegrityTracker(interview: "i_honest", guidelines: GuidelineDefaults.guidelines, start: ScriptedEvents.time(0))
        let clock = ContinuousClock()
        let started = clock.now
        for event in events { _ = tracker.ingest(event) }
        _ = tracker.finish(at: end)
        let elapsed = (clock.now - started).seconds
        let alerts = tracker.engine.alerts
        let serious = alerts.filter { $0.severity >= .medium }
        let fired = Dictionary(grouping: alerts, by: \.rule).map { "\($0.key) x\($0.value.count)" }.sorted().joined(separator: ", ")
        let faces = gaze.filter { $0.topic == "gaze.sample" && $0.data.contains(#""faces":1"#) }.count
        let samples = gaze.filter { $0.topic == "gaze.sample" }.count
        var note = "  (honest replay: \(Self.format(minutes)) min of single_face.mp4 through the gaze plugin, \(events.count) events"
        note += fired.isEmpty ? ", no alerts)\n" : "; alerts: \(fired))\n"
        FileHandle.standardOutput.write(Data(note.utf8))
        return [
            Figure(name: "honest replay: medium or high alerts per minute", value: Double(serious.count) / minutes, unit: "/min",
                   target: 0, higherIsBetter: false),
            Figure(name: "honest replay: low alerts per minute", value: Double(alerts.count - serious.count) / minutes, unit: "/min",
                   target: nil, higherIsBetter: false),
            Figure(name: "honest replay: gaze samples with one face", value: Double(faces) / Double(max(samples, 1)) * 100, unit: "%",
                   target: nil, higherIsBetter: true),
            Figure(name: "rule engine on those events, mean cost per event", value: elapsed / Double(max(events.count, 1)) * 1e6,
                   unit: "us", target: 20, higherIsBetter: false),
        ]
    }

    /// The gaze plugin's events over `minutes` of the clip played back to
    /// back on one clock (`start_ms`), each at the time its frame has in that
    /// playback: the clip (2.4 s) is shorter than the time the plugin takes to
    /// learn the person's neutral gaze, which must happen as it would live.
    static func gazeEvents(clip: String, minutes: Double) throws -> [Event] {
        let replay = try GazeReplay()  // the shipped defaults
        let frameMs = 1000.0 / 30
        var out: [Event] = []
        var offset = 0.0
        var seen = 0
        while offset < minutes * 60_000 {
            let emitted = try replay.replay(clip, options: ["start_ms": .number(offset)])
            var now = offset
            var last = 0.0
            for event in emitted[seen...] {
                // Events without their frame's time (blinks, fixations) come with the frame that ended them.
                if let t = (try? JSONParser.parse(event.data))?["t_ms"]?.doubleValue {
                    now = t
                    last = max(last, t - offset)
                }
                guard now < minutes * 60_000 else { break }
                out.append(Event(seq: event.seq, timestamp: ScriptedEvents.time(now / 1000), plugin: "gaze", topic: event.topic, data: event.data))
            }
            seen = emitted.count
            guard last > 0 else { throw HarnessError("\(clip): the gaze plugin's replay gave no frame times (t_ms)") }
            offset += last + frameMs
        }
        return out
    }

    private static func format(_ minutes: Double) -> String { minutes == minutes.rounded() ? String(Int(minutes)) : String(minutes) }
}
