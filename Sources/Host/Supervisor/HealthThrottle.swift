import Dispatch
import Synchronization

/// Passes a plugin's health changes on at most once per interval, always
/// ending on the latest: a plugin flapping between running and degraded
/// thousands of times a second yields a few `plugin.state` events a second
/// instead of flooding the bus, the log and every page, and the state the
/// agent shows is never older than one interval.
final class HealthThrottle: Sendable {
    private struct State {
        var lastSent: UInt64?
        /// A change waiting for the interval to pass (`.some(nil)`: running).
        var pending: String??
    }

    private let intervalMilliseconds: UInt64
    private let state = Mutex(State())
    private let forward: @Sendable (_ degraded: String?) -> Void

    init(intervalMilliseconds: UInt64 = 200, forward: @escaping @Sendable (_ degraded: String?) -> Void) {
        self.intervalMilliseconds = intervalMilliseconds
        self.forward = forward
    }

    func report(degraded: String?) {
        // Forwarded under the lock, so changes leave in the order they came;
        // the clock is read there too, so a flush cannot move lastSent past it.
        state.withLock { state in
            let now = MonotonicTime.milliseconds()
            if state.pending != nil {
                state.pending = .some(degraded)  // a flush is already due
            } else if let last = state.lastSent, now >= last, now - last < intervalMilliseconds {
                state.pending = .some(degraded)
                let delay = Int(intervalMilliseconds - (now - last))
                DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(delay)) { [self] in flush() }
            } else {
                state.lastSent = now
                forward(degraded)
            }
        }
    }

    private func flush() {
        state.withLock { state in
            guard let degraded = state.pending else { return }
            state.pending = nil
            state.lastSent = MonotonicTime.milliseconds()
            forward(degraded)
        }
    }
}
