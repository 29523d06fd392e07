import Dispatch
import Glibc
import Synchronization

/// Catches the given signals for as long as it lives, so the agent can shut
/// down in order instead of dying on the first one. A second signal while
/// shutting down exits at once.
final class SignalWaiter: @unchecked Sendable {  // sources are set once, in init
    private let queue = DispatchQueue(label: "signals")
    private let sources: [DispatchSourceSignal]
    private let state = Mutex<(received: Int32?, waiter: CheckedContinuation<Int32?, Never>?)>((nil, nil))

    init(_ signals: [Int32]) {
        let queue = self.queue
        sources = signals.map { number in
            signal(number, SIG_IGN)
            return DispatchSource.makeSignalSource(signal: number, queue: queue)
        }
        for (source, number) in zip(sources, signals) {
            source.setEventHandler { [self] in received(number) }
            source.resume()
        }
    }

    private func received(_ number: Int32) {
        let waiter: CheckedContinuation<Int32?, Never>? = state.withLock { state in
            if state.received != nil { _exit(1) }
            state.received = number
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: number)
    }

    /// Returns the first signal received, or nil when the calling task is cancelled.
    func wait() async -> Int32? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Int32?, Never>) in
                let received: Int32?? = state.withLock { state in
                    if let received = state.received { return .some(received) }
                    if Task.isCancelled { return .some(nil) }
                    state.waiter = continuation
                    return nil
                }
                if let received { continuation.resume(returning: received) }
            }
        } onCancel: {
            state.withLock { state in
                defer { state.waiter = nil }
                return state.waiter
            }?.resume(returning: nil)
        }
    }
}
