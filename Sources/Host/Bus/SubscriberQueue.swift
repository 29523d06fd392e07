/// The undelivered events of one subscriber. Every field is read and written
/// only under the bus lock, which is why it may be a class shared across
/// threads.
final class SubscriberQueue: @unchecked Sendable {
    let id: Int
    let name: String
    var patterns: [TopicPattern] { didSet { lastTopic = nil } }
    let capacity: Int
    let thinnable: Set<String>

    /// The verdicts for the last topic seen. A plugin emits runs of one topic
    /// (gaze.sample after gaze.sample), and short topics compare in one step,
    /// so this spares the pattern match and the set lookup per event and
    /// subscriber that dominate a wide fan-out.
    private var lastTopic: String?
    private var lastWanted = false
    private var lastThinnable = false

    /// Two lanes so the thinnable events can be dropped first in O(1); the
    /// consumer merges them back into seq order.
    private var thin = RingBuffer<Event>(initialCapacity: 64)
    private var essential = RingBuffer<Event>(initialCapacity: 64)
    private(set) var closed = false
    var waiter: CheckedContinuation<Void, Never>?
    var dropped: UInt64 = 0
    var droppedReported: UInt64 = 0
    /// True once an essential event had to be dropped.
    private(set) var overflowed = false

    init(id: Int, name: String, patterns: [TopicPattern], capacity: Int, thinnable: Set<String>) {
        self.id = id
        self.name = name
        self.patterns = patterns
        self.capacity = max(1, capacity)
        self.thinnable = thinnable
    }

    var count: Int { thin.count + essential.count }

    func wants(_ topic: String) -> Bool {
        guard !closed else { return false }
        classify(topic)
        return lastWanted
    }

    private func classify(_ topic: String) {
        guard topic != lastTopic else { return }
        lastTopic = topic
        lastWanted = patterns.contains { $0.matches(topic) }
        lastThinnable = thinnable.contains(topic)
    }

    /// Queues `event`, dropping per the policy when full. Returns the waiting
    /// consumer to wake, if any.
    func enqueue(_ event: Event) -> CheckedContinuation<Void, Never>? {
        classify(event.topic)
        if lastThinnable { thin.append(event) } else { essential.append(event) }
        if count > capacity {
            dropped += 1
            if thin.isEmpty {
                essential.removeFirst()
                overflowed = true
            } else {
                thin.removeFirst()
            }
        }
        defer { waiter = nil }
        return waiter
    }

    /// The oldest queued event across both lanes.
    func dequeue() -> Event? {
        switch (thin.first, essential.first) {
        case (let t?, let e?): t.seq < e.seq ? thin.removeFirst() : essential.removeFirst()
        case (.some, nil): thin.removeFirst()
        case (nil, .some): essential.removeFirst()
        case (nil, nil): nil
        }
    }

    func close() -> CheckedContinuation<Void, Never>? {
        closed = true
        thin = RingBuffer()
        essential = RingBuffer()
        defer { waiter = nil }
        return waiter
    }
}
