import Synchronization

/// Something one task waits on and any thread rings: the wait returns when
/// the alarm rings, when its timeout passes or when the waiting task is
/// cancelled. A ring while nobody waits is kept for the next wait, so none
/// is lost between two waits. What lets a loop sleep until its next real
/// deadline (or until there is work) instead of waking on a fixed period.
public final class Alarm: Sendable {
    private struct State {
        var rung = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    public init() {}

    /// [any-thread] Ends the current wait, or the next one if none is under way.
    public func ring() {
        let waiter: CheckedContinuation<Void, Never>? = state.withLock { state in
            guard let waiter = state.waiter else {
                state.rung = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Waits for a ring, at most `timeout` (nil: no limit). One waiter at a time.
    public func wait(timeout: Duration? = nil) async {
        guard let timeout else { return await waitForRing() }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: timeout) }
            group.addTask { await self.waitForRing() }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitForRing() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state in
                    if state.rung {
                        state.rung = false
                        return true
                    }
                    // Checked under the lock: a cancellation that came before the
                    // waiter was stored found nothing to resume.
                    if Task.isCancelled { return true }
                    state.waiter = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            state.withLock { state in
                defer { state.waiter = nil }
                return state.waiter
            }?.resume()
        }
    }
}
