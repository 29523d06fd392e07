import Foundation

/// Hands frames from the capture thread to the processing thread. When
/// processing falls behind, the newest frame wins: an unprocessed frame is
/// replaced and counted as dropped, so the tracker never works on the past.
/// Each frame carries the source it came from (a generation), so the
/// processing thread, the tracker's only user, resets the tracker itself
/// when a new source begins.
final class LatestFrameSlot: @unchecked Sendable {
    struct Taken {
        var frame: Frame
        var droppedBefore: Int64
        var generation: Int
    }

    private let condition = NSCondition()
    private var waiting: Taken?
    private var generation = 0
    private var closed = false
    private(set) var replaced: Int64 = 0

    /// Frames put from now on come from a new source; a frame of the old one
    /// still waiting is dropped.
    func beginNewSource() {
        condition.lock()
        generation += 1
        waiting = nil
        condition.unlock()
    }

    func put(_ next: Frame, droppedByDriver: Int64) {
        condition.lock()
        var dropped = droppedByDriver
        if let previous = waiting {
            replaced += 1
            dropped += previous.droppedBefore + 1
        }
        waiting = Taken(frame: next, droppedBefore: dropped, generation: generation)
        condition.signal()
        condition.unlock()
    }

    enum Outcome {
        case frame(Taken)
        case closed
    }

    /// The newest frame, waiting until one comes or the slot is closed.
    func take() -> Outcome {
        condition.lock()
        defer { condition.unlock() }
        while waiting == nil && !closed { condition.wait() }
        guard let taken = waiting else { return .closed }
        waiting = nil
        return .frame(taken)
    }

    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
