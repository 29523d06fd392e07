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
    /// Waits for `overflowed` (or the close).
    var overflowWatcher: CheckedContinuation<Void, Never>?
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

    /// Queues `event`, dropping per the policy when full, and adds the
    /// consumers to wake to `wake`. Returns true when this was the queue's
    /// first loss since the last drop report.
    func enqueue(_ event: Event, waking wake: inout [CheckedContinuation<Void, Never>]) -> Bool {
        classify(event.topic)
        if lastThinnable { thin.append(event) } else { essential.append(event) }
        var firstLoss = false
        if count > capacity {
            firstLoss = dropped == droppedReported
            dropped += 1
            if thin.isEmpty {
                essential.removeFirst()
                if !overflowed, let watcher = overflowWatcher { wake.append(watcher) }
                overflowWatcher = nil
                overflowed = true
            } else {
                thin.removeFirst()
            }
        }
        if let waiter { wake.append(waiter) }
        waiter = nil
        return firstLoss
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

    /// Empties the queue for good; returns the consumers to wake.
    func close() -> [CheckedContinuation<Void, Never>] {
        closed = true
        thin = RingBuffer()
        essential = RingBuffer()
        defer {
            waiter = nil
            overflowWatcher = nil
        }
        return [waiter, overflowWatcher].compactMap { $0 }
    }
}
