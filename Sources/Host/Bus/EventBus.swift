import ProctorJSON
import Synchronization

/// Where every event in the agent passes: gives it its `seq` and `ts`, keeps
/// a bounded ring of recent events for replay, and fans it out to bounded
/// subscriber queues. Publishing never blocks and never waits for a
/// subscriber; memory is bounded by the ring's and the queues' limits, and
/// what a slow subscriber loses is counted.
///
/// One lock orders everything, so every subscriber sees events in seq order
/// and a replay followed by a subscription has neither a gap nor a repeat.
public final class EventBus: Sendable {
    public struct Limits: Sendable, Equatable {
        /// Recent events kept for replay, by count and by bytes (`Event.footprint`):
        /// `bus.replay_events` and `bus.replay_mib` in plugins.json. The bytes are
        /// what an agent's memory grows by until the ring is full; a resume from
        /// further back is served from the interview's file.
        public var replayCount = 10_000
        public var replayBytes = 4 << 20
        public init() {}
    }

    struct State {
        var agentSession: String
        var nextSeq: UInt64 = 1
        var ring = RingBuffer<Event>(initialCapacity: 1024)
        var ringBytes = 0
        var subscribers: [SubscriberQueue] = []
        var nextSubscriberID = 1
    }

    let state: Mutex<State>
    let limits: Limits
    /// Rung when a subscriber loses its first event since the last report.
    private let drops = Alarm()

    public init(limits: Limits = Limits()) {
        self.limits = limits
        state = Mutex(State(agentSession: Self.newAgentSession()))
    }

    /// The name of this seq numbering, the protocol's `agent_session`: seqs
    /// are comparable only between events of one. New for each agent, unless
    /// a restarted agent continues an interview's numbering.
    public var agentSession: String { state.withLock { $0.agentSession } }

    /// Takes up the numbering `agentSession` at `nextSeq`: what an agent
    /// restarted during an interview does before anything is published, so
    /// its seqs follow the ones the stopped agent handed out.
    public func continueNumbering(agentSession: String, at nextSeq: UInt64) {
        state.withLock { state in
            precondition(state.ring.isEmpty, "a numbering is continued before anything is published")
            state.agentSession = agentSession
            state.nextSeq = nextSeq
        }
    }

    /// 16 hex digits of the kernel's randomness.
    static func newAgentSession() -> String {
        var generator = SystemRandomNumberGenerator()
        let value = UInt64.random(in: 0...UInt64.max, using: &generator)
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// Publishes an event. The caller has checked that `topic` is valid, that
    /// `plugin` needs no JSON escaping and that `data` is one JSON object.
    @discardableResult
    public func publish(plugin: String, topic: String, data: String) -> Event {
        publish(plugin: plugin, batch: [(topic, data)])[0]
    }

    /// Publishes several events of one plugin in order, under one lock and
    /// with one wake-up per subscriber: what a plugin child's relay reads in
    /// one go costs the subscribers one switch, not one per event.
    @discardableResult
    public func publish(plugin: String, batch: [(topic: String, data: String)]) -> [Event] {
        var wake: [CheckedContinuation<Void, Never>] = []
        var firstLoss = false
        let events = state.withLock { state in
            batch.map { topic, data in
                let event = Event(seq: state.nextSeq, timestamp: .now(), plugin: plugin, topic: topic, data: data)
                state.nextSeq += 1
                state.ring.append(event)
                state.ringBytes += event.footprint
                while state.ring.count > limits.replayCount || state.ringBytes > limits.replayBytes,
                    let old = state.ring.removeFirst()
                {
                    state.ringBytes -= old.footprint
                }
                for queue in state.subscribers where queue.wants(topic) {
                    if queue.enqueue(event, waking: &wake) { firstLoss = true }
                }
                return event
            }
        }
        for waiter in wake { waiter.resume() }
        if firstLoss { drops.ring() }
        return events
    }

    @discardableResult
    public func publish(plugin: String = "host", topic: String, data: JSONValue) -> Event {
        publish(plugin: plugin, topic: topic, data: JSONWriter.compact(data))
    }

    /// The seq the next event will get.
    public var nextSeq: UInt64 { state.withLock { $0.nextSeq } }

    /// Subscribes to the topics matching `patterns`, holding at most
    /// `capacity` undelivered events. When the queue is full, the oldest event
    /// whose topic is in `thinnable` goes first; only when none is queued does
    /// an essential event go, and the subscription is then marked overflowed.
    public func subscribe(
        name: String, patterns: [TopicPattern], capacity: Int = 4096, thinnable: Set<String> = []
    ) -> Subscription {
        resume(name: name, patterns: patterns, capacity: capacity, thinnable: thinnable, after: nil).subscription
    }

    /// Like `subscribe`, and also returns the retained events with a seq
    /// greater than `after` that match, and the seq of the first live event,
    /// taken under the same lock so nothing falls between the replay and the
    /// live queue and nothing is in both.
    public func resume(
        name: String, patterns: [TopicPattern], capacity: Int = 4096, thinnable: Set<String> = [], after: UInt64?
    ) -> (replay: Replay, subscription: Subscription, nextSeq: UInt64) {
        state.withLock { state in
            let queue = SubscriberQueue(
                id: state.nextSubscriberID, name: name, patterns: patterns, capacity: capacity, thinnable: thinnable)
            state.nextSubscriberID += 1
            state.subscribers.append(queue)
            let replay = after.map { Self.replay(after: $0, in: state, matching: queue.wants) } ?? .events([])
            return (replay, Subscription(bus: self, queue: queue), state.nextSeq)
        }
    }

    public enum Replay: Sendable {
        case events([Event])
        /// The ring no longer holds the events after `requested`; `events`
        /// are the matching ones it still holds, from `oldestAvailable` on.
        case tooOld(requested: UInt64, oldestAvailable: UInt64, events: [Event])

        /// The same replay without the events `isIncluded` rejects.
        public func filter(_ isIncluded: (Event) -> Bool) -> Replay {
            switch self {
            case .events(let events): .events(events.filter(isIncluded))
            case .tooOld(let requested, let oldest, let events):
                .tooOld(requested: requested, oldestAvailable: oldest, events: events.filter(isIncluded))
            }
        }
    }

    /// The retained events after `seq` that match `wants`.
    public func replay(after seq: UInt64, matching wants: @Sendable (String) -> Bool = { _ in true }) -> Replay {
        state.withLock { Self.replay(after: seq, in: $0, matching: wants) }
    }

    private static func replay(after seq: UInt64, in state: State, matching wants: @Sendable (String) -> Bool) -> Replay {
        let ring = state.ring
        // An empty ring holds nothing after any seq below the next one.
        let oldest = ring.first?.seq ?? state.nextSeq
        let skip = seq + 1 < oldest ? 0 : Int(seq + 1 - oldest)
        var events: [Event] = []
        if skip < ring.count {
            for offset in skip..<ring.count where wants(ring[offset].topic) { events.append(ring[offset]) }
        }
        return seq + 1 < oldest ? .tooOld(requested: seq, oldestAvailable: oldest, events: events) : .events(events)
    }

    func remove(_ queue: SubscriberQueue) -> [CheckedContinuation<Void, Never>] {
        state.withLock { state in
            state.subscribers.removeAll { $0 === queue }
            return queue.close()
        }
    }

    /// Returns once a subscriber has lost events that `takeDropCounts` has not
    /// reported yet (at once if that happened since the last call), or when the
    /// calling task is cancelled.
    public func waitForDrops() async { await drops.wait() }

    /// How many events each subscriber has lost since the last call, for the
    /// `bus.dropped` report. Only subscribers with new losses appear.
    public func takeDropCounts() -> [(subscriber: String, dropped: UInt64, total: UInt64)] {
        state.withLock { state in
            state.subscribers.compactMap { queue in
                let delta = queue.dropped - queue.droppedReported
                guard delta > 0 else { return nil }
                queue.droppedReported = queue.dropped
                return (queue.name, delta, queue.dropped)
            }
        }
    }
}
