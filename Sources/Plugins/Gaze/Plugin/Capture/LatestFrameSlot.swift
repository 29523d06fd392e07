import Foundation

/// Hands frames from the capture thread to the processing thread. When
/// processing falls behind, the newest frame wins: an unprocessed frame is
/// replaced and counted as dropped, so the tracker never works on the past.
final class LatestFrameSlot: @unchecked Sendable {
    private let condition = NSCondition()
    private var frame: (Frame, droppedBefore: Int64)?
    private var closed = false
    private(set) var replaced: Int64 = 0

    func put(_ next: Frame, droppedByDriver: Int64) {
        condition.lock()
        var dropped = droppedByDriver
        if let waiting = frame {
            replaced += 1
            dropped += waiting.droppedBefore + 1
        }
        frame = (next, dropped)
        condition.signal()
        condition.unlock()
    }

    /// The newest frame, waiting up to `timeout` seconds; nil on timeout or close.
    func take(timeout: Double) -> (Frame, droppedBefore: Int64)? {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: timeout)
        while frame == nil && !closed {
            if !condition.wait(until: deadline) { return nil }
        }
        defer { frame = nil }
        return frame
    }

    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
