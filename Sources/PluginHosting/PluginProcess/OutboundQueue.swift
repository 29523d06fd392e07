/// What a plugin child sends to its parent, waiting for the writer thread.
/// Two lanes: control frames (hello, responses, pongs) always go first and
/// are never dropped; events and logs share a lane bounded in bytes, and what
/// does not fit is dropped and counted, so `emit` never blocks the plugin and
/// the child's memory stays bounded under a flood. Health is one slot that
/// only its latest value fills, so a plugin flapping between running and
/// degraded costs one frame per write, not one per change. The writer is
/// signalled after the lock is released, so it does not wake only to wait
/// for the lock again.
final class OutboundQueue: @unchecked Sendable {
    static let eventLaneLimit = 4 << 20

    private let condition = ConditionLock()
    private var control: [UInt8] = []
    private var events: [UInt8] = []
    private var health: Frame?
    private var writerWaiting = false
    private var closed = false
    /// Events and logs dropped since the child started.
    private(set) var dropped: UInt64 = 0

    func pushControl(_ frame: Frame) {
        condition.lock()
        frame.append(to: &control)
        let wake = writerWaiting
        condition.unlock()
        if wake { condition.signal() }
    }

    /// Replaces the health frame not yet sent, if any.
    func setHealth(_ frame: Frame) {
        condition.lock()
        health = frame
        let wake = writerWaiting
        condition.unlock()
        if wake { condition.signal() }
    }

    /// Queues an event or log frame; false when it was dropped.
    func pushEvent(_ write: (inout [UInt8]) -> Void) -> Bool {
        condition.lock()
        guard events.count < Self.eventLaneLimit, !closed else {
            dropped += 1
            condition.unlock()
            return false
        }
        write(&events)
        let wake = writerWaiting
        condition.unlock()
        if wake { condition.signal() }
        return true
    }

    /// Blocks until there is something to send; returns health first, then
    /// control bytes, then events, and the drop count. Nil once closed and drained.
    func take(into buffer: inout [UInt8]) -> UInt64? {
        condition.lock()
        defer { condition.unlock() }
        while control.isEmpty && health == nil && events.isEmpty && !closed {
            writerWaiting = true
            condition.wait()
            writerWaiting = false
        }
        if control.isEmpty && health == nil && events.isEmpty && closed { return nil }
        buffer.removeAll(keepingCapacity: true)
        // Health first: a plugin that reports it cannot see during start must
        // be degraded from the moment its start is announced, not running first.
        health?.append(to: &buffer)
        health = nil
        buffer.append(contentsOf: control)
        control.removeAll(keepingCapacity: true)
        buffer.append(contentsOf: events)
        events.removeAll(keepingCapacity: true)
        return dropped
    }

    /// Lets the writer drain what is queued and return.
    func close() {
        condition.lock()
        closed = true
        condition.signal()
        condition.unlock()
    }
}
