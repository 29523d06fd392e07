import ProctorJSON

/// An interview's integrity as its events go by: the rule engine's alerts and
/// each plugin's coverage. The live monitor feeds it from the bus; the report
/// feeds it from the store and gets the same summary.
public struct IntegrityTracker: Sendable {
    public private(set) var engine: RuleEngine
    public private(set) var coverage: Coverage
    public let interview: String
    public let start: Timestamp

    public init(interview: String, guidelines: Guidelines, start: Timestamp, updateInterval: Int64 = 10_000) {
        self.interview = interview
        self.start = start
        engine = RuleEngine(guidelines: guidelines, interview: interview, start: start, updateInterval: updateInterval)
        coverage = Coverage(start: start)
    }

    /// The state the interview began in (the last event of each state topic
    /// before it); returns the `alert` data to publish.
    public mutating func prime(_ events: [Event]) -> [JSONValue] {
        for event in events { coverage.observe(event, primed: true) }
        return engine.prime(events)
    }

    public mutating func ingest(_ event: Event) -> [JSONValue] {
        coverage.observe(event, primed: false)
        return engine.ingest(event)
    }

    public mutating func advance(to time: Timestamp) -> [JSONValue] { engine.advance(to: time) }

    public mutating func finish(at time: Timestamp) -> [JSONValue] { engine.finish(at: time) }

    /// The `integrity.summary` data at `now` (docs/topics.json).
    public func summary(at now: Timestamp) -> JSONValue {
        IntegritySummary.make(interview: interview, guidelines: engine.guidelines, alerts: engine.alerts,
                              coverage: coverage.rows(at: now), duration: max(0, now.seconds(since: start)), now: now)
    }

    /// The topics the tracker reads: the rules' and plugin.state for coverage.
    public var topics: Set<String> { engine.topics.union(["plugin.state"]) }
    public var stateTopics: Set<String> { engine.stateTopics.union(["plugin.state"]) }

    /// Recomputes an interview's summary from its events, as the store holds
    /// them: `context` the state it began in, `events` its own (any `alert`
    /// among them is ignored: the rules make their own), ended at `end`.
    public static func recompute(
        interview: String, guidelines: Guidelines, start: Timestamp, end: Timestamp, context: [Event], events: [Event]
    ) -> JSONValue {
        var tracker = IntegrityTracker(interview: interview, guidelines: guidelines, start: start)
        _ = tracker.prime(context)
        // What came after `end` (the interview.ended event, a ms later) is not part of the summary made at `end`.
        for event in events where event.timestamp <= end { _ = tracker.ingest(event) }
        _ = tracker.finish(at: end)
        return tracker.summary(at: end)
    }
}
