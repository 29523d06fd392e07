import Foundation
import ProctorHost
import ProctorJSON
import ProctorTestSupport

/// The integrity engine: what the default guidelines cost per event on a
/// scripted honest interview (15 gaze samples a second, blinks, short
/// glances, heartbeats), and the false alarms it raises there.
struct IntegrityBenchmark {
    let seconds: Double

    func run() async throws -> [Figure] {
        let minutes = 30.0
        let script = HonestInterview.events(minutes: minutes)
        let end = ScriptedEvents.time(minutes * 60)
        var events = 0
        var serious = 0
        var low = 0
        var elapsed = Duration.zero
        let clock = ContinuousClock()
        repeat {
            var tracker = IntegrityTracker(interview: "i_bench", guidelines: GuidelineDefaults.guidelines, start: ScriptedEvents.time(0))
            let started = clock.now
            for event in script.events { _ = tracker.ingest(event) }
            _ = tracker.finish(at: end)
            _ = tracker.summary(at: end)
            elapsed += clock.now - started
            events += script.events.count
            serious = tracker.engine.alerts.filter { $0.severity >= .medium }.count
            low = tracker.engine.alerts.count - serious
        } while elapsed.seconds < seconds
        return [
            Figure(name: "rule engine, default guidelines, mean cost per event", value: elapsed.seconds / Double(events) * 1e6,
                   unit: "us", target: 20, higherIsBetter: false),
            Figure(name: "false alarms (medium or high) on a \(Int(minutes)) min honest interview", value: Double(serious),
                   unit: "alerts", target: 0, higherIsBetter: false),
            Figure(name: "low alerts on the same honest interview", value: Double(low), unit: "alerts", target: nil, higherIsBetter: false),
        ]
    }
}
