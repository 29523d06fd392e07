import Logging
import ProctorJSON

/// The gaze analytics while an interview runs: a bus subscriber that feeds
/// the interview's events to a `GazeAnalytics` and publishes `gaze.heatmap`
/// for a live view, at most once per `interval` of event time and only when
/// something changed. An interview continued after the agent was killed
/// (`interview.resumed`) is read back from its file first.
public struct LiveGazeAnalytics: Sendable {
    public let bus: EventBus
    public let intervalMilliseconds: Int64
    /// Where the interviews' files are: what a continued interview is rebuilt from.
    public let directory: String?
    private let subscription: Subscription
    private let logger: Logger?

    public static let topics = ["gaze.sample", "gaze.fixation", "gaze.blink", "gaze.away", "gaze.calibration", "screen.monitors",
                                "interview.started", "interview.resumed", "interview.phase", "interview.ended"]

    /// Subscribes at once, so an `interview.resumed` published before `run` is seen.
    public init(bus: EventBus, intervalMilliseconds: Int64 = 3000, directory: String? = nil, logger: Logger? = nil) {
        self.bus = bus
        self.intervalMilliseconds = intervalMilliseconds
        self.directory = directory
        self.logger = logger
        // Samples may be thinned when this falls behind, as for a slow page;
        // the figures then lean on fewer samples, the interview's file still has all.
        subscription = bus.subscribe(name: "gaze analytics", patterns: Self.topics.compactMap(TopicPattern.init),
                                     capacity: 8192, thinnable: ["gaze.sample"])
    }

    /// Runs until the calling task is cancelled; once.
    public func run() async {
        defer { subscription.cancel() }
        var screen: String?
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
                    // The screen's size as the interview begins, as its file keeps it.
                    if let screen { running?.analytics.add(topic: "screen.monitors", data: screen, at: ms) }
                    lastPublished = nil
                case "interview.resumed":
                    running = rebuild(event)
                    lastPublished = nil
                case "interview.ended":
                    running = nil
                default:
                    if event.topic == "screen.monitors" { screen = event.data }
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

    /// The analytics of the interview `resumed` continues, from its file: the
    /// screen at its start and every event before the restart.
    private func rebuild(_ resumed: Event) -> (id: String, analytics: GazeAnalytics)? {
        guard let directory, let data = try? JSONParser.parse(resumed.data), let id = data["interview"]?.stringValue,
            let firstNew = data["first_new_seq"]?.intValue
        else { return nil }
        do {
            let stored = try StoredEvents(path: InterviewFile.path(directory: directory, id: id))
            var analytics = GazeAnalytics(startMs: stored.started.millisecondsSinceEpoch)
            for state in stored.startStates where state.topic == "screen.monitors" {
                analytics.add(topic: state.topic, data: state.data, at: stored.started.millisecondsSinceEpoch)
            }
            let topics = Set(Self.topics).subtracting(["interview.started", "interview.resumed", "interview.ended"])
            try stored.forEach(before: UInt64(firstNew)) { event in
                if topics.contains(event.topic) { analytics.add(topic: event.topic, data: event.data, at: event.timestamp.millisecondsSinceEpoch) }
            }
            return (id, analytics)
        } catch {
            logger?.error("interview \(id): live gaze analytics start again from the restart: \(error)")
            return (id, GazeAnalytics(startMs: resumed.timestamp.millisecondsSinceEpoch))
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
