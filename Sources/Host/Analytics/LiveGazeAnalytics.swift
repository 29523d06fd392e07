import ProctorJSON

/// The gaze analytics while an interview runs: a bus subscriber that feeds
/// the interview's events to a `GazeAnalytics` and publishes `gaze.heatmap`
/// for a live view, at most once per `interval` of event time and only when
/// something changed.
public struct LiveGazeAnalytics: Sendable {
    public let bus: EventBus
    public let intervalMilliseconds: Int64

    public static let topics = ["gaze.sample", "gaze.fixation", "gaze.blink", "gaze.away", "gaze.calibration", "screen.monitors",
                                "interview.started", "interview.phase", "interview.ended"]

    public init(bus: EventBus, intervalMilliseconds: Int64 = 3000) {
        self.bus = bus
        self.intervalMilliseconds = intervalMilliseconds
    }

    /// Runs until the calling task is cancelled.
    public func run() async {
        // Samples may be thinned when this falls behind, as for a slow page;
        // the figures then lean on fewer samples, the interview's file still has all.
        let subscription = bus.subscribe(name: "gaze analytics", patterns: Self.topics.compactMap(TopicPattern.init),
                                         capacity: 8192, thinnable: ["gaze.sample"])
        var running: (id: String, analytics: GazeAnalytics)?
        var lastPublished: (ms: Int64, signature: [Double])?
        while true {
            let batch = await subscription.nextBatch(maximum: 1024)
            if batch.isEmpty { return }
            for event in batch {
                let ms = event.timestamp.millisecondsSinceEpoch
                switch event.topic {
                case "interview.started":
                    guard let id = (try? JSONParser.parse(event.data))?["interview"]?.stringValue else { continue }
                    running = (id, GazeAnalytics(startMs: ms))
                    lastPublished = nil
                case "interview.ended":
                    running = nil
                default:
                    running?.analytics.add(topic: event.topic, data: event.data, at: ms)
                }
            }
            guard let (id, analytics) = running else { continue }
            let signature = Self.signature(analytics)
            guard Self.isDue(last: lastPublished, now: analytics.lastMs, signature: signature, interval: intervalMilliseconds) else { continue }
            bus.publish(topic: "gaze.heatmap", data: Self.data(interview: id, analytics))
            lastPublished = (analytics.lastMs, signature)
        }
    }

    /// A new `gaze.heatmap` is due when there is something to show, it differs
    /// from the last one sent, and `interval` ms of event time have passed since.
    static func isDue(last: (ms: Int64, signature: [Double])?, now: Int64, signature: [Double], interval: Int64) -> Bool {
        // Everything but the phase count (the last) is gaze: none of it, nothing to show.
        guard signature.dropLast().contains(where: { $0 > 0 }) else { return false }
        guard let last else { return true }
        return now - last.ms >= interval && last.signature != signature
    }

    /// What must change for a new `gaze.heatmap` to be worth sending.
    static func signature(_ analytics: GazeAnalytics) -> [Double] {
        let scope = analytics.whole
        return [scope.screenDwell.totalMilliseconds, scope.directionDwell.totalMilliseconds, Double(scope.fixations),
                Double(scope.blinks), scope.noFaceMilliseconds, Double(analytics.phases.count)]
    }

    /// The event's data: the whole interview so far and the phase under way.
    public static func data(interview: String, _ analytics: GazeAnalytics) -> JSONValue {
        ["interview": .string(interview), "whole": analytics.json(analytics.whole), "phase": analytics.json(analytics.phases[analytics.phases.count - 1])]
    }
}
