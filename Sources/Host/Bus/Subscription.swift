/// A subscriber's view of the bus: events in seq order, as an async sequence
/// or in batches. Cancel it (or cancel the task iterating it) to leave.
public final class Subscription: AsyncSequence, Sendable {
    public typealias Element = Event

    private let bus: EventBus
    let queue: SubscriberQueue

    init(bus: EventBus, queue: SubscriberQueue) {
        self.bus = bus
        self.queue = queue
    }

    public var name: String { queue.name }

    /// Events this subscriber lost because its queue was full.
    public var droppedCount: UInt64 { bus.state.withLock { _ in queue.dropped } }

    /// True once an event outside the thinnable topics was lost.
    public var overflowed: Bool { bus.state.withLock { _ in queue.overflowed } }

    /// Events waiting to be taken.
    public var pendingCount: Int { bus.state.withLock { _ in queue.count } }

    /// The next event, waiting for one; nil once cancelled.
    public func next() async -> Event? {
        await nextBatch(maximum: 1).first
    }

    /// Up to `maximum` queued events, waiting until there is at least one;
    /// empty once cancelled.
    public func nextBatch(maximum: Int) async -> [Event] {
        while true {
            let (batch, closed) = bus.state.withLock { _ in
                var batch: [Event] = []
                while batch.count < maximum, let event = queue.dequeue() { batch.append(event) }
                return (batch, queue.closed)
            }
            if !batch.isEmpty || closed { return batch }
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let ready = bus.state.withLock { _ in
                        if queue.count > 0 || queue.closed { return true }
                        queue.waiter = continuation
                        return false
                    }
                    if ready { continuation.resume() }
                }
            } onCancel: {
                self.cancel()
            }
        }
    }

    /// Returns once an event outside the thinnable topics was lost (true), or
    /// when the subscription or the calling task is cancelled (false): a
    /// watch for a slow consumer that costs nothing while it keeps up.
    public func waitForOverflow() async -> Bool {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = bus.state.withLock { _ in
                    // Checked under the lock: a cancellation before the watcher
                    // was stored found nothing to resume.
                    if queue.overflowed || queue.closed || Task.isCancelled { return true }
                    queue.overflowWatcher = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            bus.state.withLock { _ in
                defer { queue.overflowWatcher = nil }
                return queue.overflowWatcher
            }?.resume()
        }
        return overflowed
    }

    /// Replaces the topics this subscription wants; events already queued stay.
    public func update(patterns: [TopicPattern]) {
        bus.state.withLock { _ in queue.patterns = patterns }
    }

    public var patterns: [TopicPattern] { bus.state.withLock { _ in queue.patterns } }

    /// Leaves the bus; a consumer waiting in `next` gets nil.
    public func cancel() {
        for waiter in bus.remove(queue) { waiter.resume() }
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let subscription: Subscription
        public mutating func next() async -> Event? { await subscription.next() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(subscription: self) }
}
