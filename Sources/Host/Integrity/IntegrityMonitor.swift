import Logging
import ProctorJSON
import Synchronization

/// The integrity engine on the bus: while an interview runs, feeds its events
/// to an `IntegrityTracker` and publishes the `alert`s it makes; at the end
/// (before `interview.ended`) publishes `integrity.summary`. Between
/// interviews it only remembers the last event of each topic, so an
/// interview starts knowing the state it starts in (two monitors already
/// connected, full screen already left). An interview continued after the
/// agent was killed (`interview.resumed`) gets its tracker back from its
/// file, alerts and their numbering as they were, before it goes on live.
public final class IntegrityMonitor: Sendable {
    struct State {
        /// The last event of each topic and plugin (per plugin for plugin.state).
        var latest: [String: Event] = [:]
        var tracker: IntegrityTracker?
        var assistant: Assistant?
        /// The summary of the last interview that ended.
        var final: JSONValue?
        var processed: UInt64 = 0
        var looping = false
        var waiters: [(seq: UInt64, continuation: CheckedContinuation<Void, Never>)] = []
    }

    /// The config's guidelines: the fallback when an interview carries none.
    public let guidelines: Guidelines
    /// Where the interviews' files are: what a continued interview is rebuilt from.
    public let directory: String?
    private let bus: EventBus
    private let subscription: Subscription
    private let logger: Logger
    private let clock: @Sendable () -> Timestamp
    private let state = Mutex(State())
    /// How often time moves on with no event, so "longer than T" is seen in time.
    static let tick = Duration.milliseconds(250)
    static let ownTopics: Set<String> = ["alert", "integrity.summary", "integrity.context", "assist"]

    public init(
        guidelines: Guidelines, bus: EventBus, logger: Logger, directory: String? = nil, clock: @escaping @Sendable () -> Timestamp = { .now() }
    ) {
        self.guidelines = guidelines
        self.directory = directory
        self.bus = bus
        self.logger = logger
        self.clock = clock
        // Everything, so that "every event up to now was seen" is a seq to wait for.
        subscription = bus.subscribe(name: "integrity", patterns: [.all], capacity: InterviewManager.defaultQueueCapacity)
    }

    /// Reads the bus until cancelled; the subscription ends with it.
    public func run() async {
        state.withLock { $0.looping = true }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [self] in
                while (try? await Task.sleep(for: Self.tick)) != nil {
                    let now = clock()
                    publish(state.withLock { state in
                        let alerts = state.tracker?.advance(to: now) ?? []
                        return Self.withNotes(alerts, at: now, state: &state)
                    })
                }
            }
            while true {
                let batch = await subscription.nextBatch(maximum: 256)
                if batch.isEmpty { break }
                handle(batch)
            }
            group.cancelAll()
        }
        for waiter in state.withLock({ state in
            state.looping = false
            defer { state.waiters = [] }
            return state.waiters
        }) {
            waiter.continuation.resume()
        }
    }

    /// The running interview's summary now, else the last one's final summary.
    public func summary() -> JSONValue? {
        let now = clock()
        return state.withLock { state in state.tracker?.summary(at: now) ?? state.final }
    }

    /// The newest event of `topic` seen, from any publisher.
    public func latest(topic: String) -> Event? {
        state.withLock { state in state.latest.values.filter { $0.topic == topic }.max { $0.seq < $1.seq } }
    }

    /// Called by the interview manager before it publishes `interview.ended`:
    /// takes in every event published so far, resolves what is still open at
    /// the end, and publishes the summary, so the store holds both.
    public func interviewEnding(_ id: String) async {
        let target = bus.nextSeq - 1
        let looping = state.withLock { $0.looping }
        if looping {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state in
                    if state.processed >= target || !state.looping { return true }
                    state.waiters.append((target, continuation))
                    return false
                }
                if now { continuation.resume() }
            }
        } else {
            // Nobody reads the bus (an agent started without running): read what waits here.
            while subscription.pendingCount > 0 { handle(await subscription.nextBatch(maximum: 256)) }
        }
        let (alerts, summary) = state.withLock { state -> ([(String, JSONValue)], JSONValue?) in
            guard var tracker = state.tracker, tracker.interview == id else { return ([], nil) }
            let end = max(clock(), tracker.engine.now)
            let alerts = tracker.finish(at: end)
            let summary = tracker.summary(at: end)
            state.tracker = nil
            state.assistant = nil
            state.final = summary
            return (alerts.map { ("alert", $0) }, summary)
        }
        publish(alerts)
        if let summary { bus.publish(topic: "integrity.summary", data: summary) }
    }

    private func handle(_ batch: [Event]) {
        var out: [(String, JSONValue)] = []
        var context: JSONValue?
        // Read from the file before taking the lock: the bus's other events wait in the queue meanwhile.
        var rebuilt: [UInt64: (IntegrityTracker, Assistant)] = [:]
        for event in batch where event.topic == "interview.resumed" { rebuilt[event.seq] = rebuild(event) }
        let waiters = state.withLock { state in
            for event in batch {
                state.processed = event.seq
                if Self.ownTopics.contains(event.topic) { continue }
                switch event.topic {
                case "interview.started":
                    let (started, alerts) = start(event, state: &state)
                    context = started
                    out += Self.withNotes(alerts, at: event.timestamp, state: &state)
                case "interview.resumed":
                    guard let (tracker, assistant) = rebuilt[event.seq] else { continue }
                    state.tracker = tracker
                    state.assistant = assistant
                case "interview.ended":
                    // The manager's hook normally finished it; this is the fallback.
                    if var tracker = state.tracker {
                        out += tracker.finish(at: event.timestamp).map { ("alert", $0) }
                        state.final = tracker.summary(at: event.timestamp)
                        state.tracker = nil
                        state.assistant = nil
                    }
                default:
                    state.latest[Self.key(event)] = event
                    guard state.tracker != nil else { continue }
                    if event.topic == "interview.phase", let data = try? JSONParser.parse(event.data) { state.assistant?.phase(data) }
                    let alerts = state.tracker!.ingest(event)
                    out += Self.withNotes(alerts, at: event.timestamp, state: &state)
                }
            }
            let ready = state.waiters.filter { $0.seq <= state.processed }
            state.waiters.removeAll { $0.seq <= state.processed }
            return ready
        }
        if let context { bus.publish(topic: "integrity.context", data: context) }
        publish(out)
        for waiter in waiters { waiter.continuation.resume() }
    }

    /// A tracker for the interview `event` started, primed with the state it
    /// starts in; returns the `integrity.context` to publish (what the store
    /// needs to recompute the summary) and the first alerts.
    private func start(_ event: Event, state: inout State) -> (JSONValue?, [JSONValue]) {
        guard let data = try? JSONParser.parse(event.data), let id = data["interview"]?.stringValue else { return (nil, []) }
        let rules = rulesInForce(data["guidelines"], interview: id)
        var tracker = IntegrityTracker(interview: id, guidelines: rules, start: event.timestamp)
        let topics = tracker.stateTopics
        let context = state.latest.values.filter { topics.contains($0.topic) }.sorted { $0.seq < $1.seq }
        let alerts = tracker.prime(context)
        state.tracker = tracker
        state.assistant = Assistant(guidelines: rules)
        return (IntegrityContext.json(interview: id, events: context), alerts)
    }

    /// The guidelines an interview was started with, else the config's.
    private func rulesInForce(_ given: JSONValue?, interview id: String) -> Guidelines {
        guard let given = given?["rules"] else { return guidelines }
        switch GuidelineParser.rules(given, at: JSONPath.root.appending("guidelines").appending("rules")) {
        case .success(let parsed): return parsed
        case .failure(let problems):
            logger.error("interview \(id): guidelines \(problems.all[0]); using the config's")
            return guidelines
        }
    }

    /// The tracker and assistant of the interview `resumed` continues, as
    /// they were when the agent stopped: the file's `integrity.context` and
    /// then every event before the restart go through the same rules, so the
    /// alerts already in the file come out again with their ids (and are not
    /// published again) and an alert open at the stop is still open.
    private func rebuild(_ resumed: Event) -> (IntegrityTracker, Assistant)? {
        guard let directory, let data = try? JSONParser.parse(resumed.data), let id = data["interview"]?.stringValue,
            let firstNew = data["first_new_seq"]?.intValue
        else { return nil }
        do {
            let stored = try StoredEvents(path: InterviewFile.path(directory: directory, id: id))
            let rules = rulesInForce(stored.guidelines, interview: id)
            var tracker = IntegrityTracker(interview: id, guidelines: rules, start: stored.started)
            var assistant = Assistant(guidelines: rules)
            if let context = try stored.first(topic: "integrity.context", before: UInt64(firstNew)),
                let parsed = try? JSONParser.parse(context.data) {
                _ = tracker.prime(IntegrityContext.events(parsed))
            }
            try stored.forEach(before: UInt64(firstNew)) { event in
                // An alert the live tick raised between two events: time goes to its ts, as the tick did.
                if Self.ownTopics.contains(event.topic) { _ = tracker.advance(to: event.timestamp) }
                guard !Self.ownTopics.contains(event.topic), event.topic != "interview.started" else { return }
                if event.topic == "interview.phase", let data = try? JSONParser.parse(event.data) { assistant.phase(data) }
                _ = tracker.ingest(event)
            }
            logger.info("interview \(id): integrity rebuilt from its file, \(tracker.engine.alerts.count) alerts so far")
            return (tracker, assistant)
        } catch {
            // A fresh tracker would number alerts from #1 again, over the file's: none is more honest.
            logger.error("interview \(id) continues without integrity alerts or summary: \(error)")
            return nil
        }
    }

    /// The alerts as events to publish, each followed by the assistant's note on it, if any.
    private static func withNotes(_ alerts: [JSONValue], at now: Timestamp, state: inout State) -> [(String, JSONValue)] {
        var out: [(String, JSONValue)] = []
        for alert in alerts {
            out.append(("alert", alert))
            if let note = state.assistant?.note(for: alert, at: now) { out.append(("assist", note)) }
        }
        return out
    }

    private func publish(_ events: [(String, JSONValue)]) {
        for (topic, data) in events { bus.publish(topic: topic, data: data) }
    }

    private static func key(_ event: Event) -> String {
        guard event.topic == "plugin.state", let data = try? JSONParser.parse(event.data) else {
            return event.topic + "\u{0}" + event.plugin
        }
        return event.topic + "\u{0}" + (data["plugin"]?.stringValue ?? "")
    }
}
