import Foundation

/// A thread a plugin starts in `start` and joins in `stop`: the body runs on
/// its own thread and waits on the given `StopSignal`, so stop never has to
/// wait for a sleep to finish.
public final class PluginThread: @unchecked Sendable {
    private let signal = StopSignal()
    private let finished = DispatchSemaphore(value: 0)
    private var started = false

    public init() {}

    /// Runs `body` on a new thread named `name` (shown by `top -H`).
    public func start(name: String, _ body: @escaping @Sendable (StopSignal) -> Void) {
        precondition(!started, "a PluginThread runs once")
        started = true
        let thread = Thread { [signal, finished] in
            body(signal)
            finished.signal()
        }
        thread.name = name
        thread.start()
    }

    /// Asks the body to return and waits until it has.
    public func stop() {
        guard started else { return }
        signal.raise()
        finished.wait()
        started = false
    }
}

/// Tells a plugin thread when to return.
public final class StopSignal: @unchecked Sendable {
    private let condition = NSCondition()
    private var raised = false

    public var isRaised: Bool {
        condition.lock()
        defer { condition.unlock() }
        return raised
    }

    func raise() {
        condition.lock()
        raised = true
        condition.broadcast()
        condition.unlock()
    }

    /// Sleeps up to `seconds`; returns true when stop was asked for meanwhile.
    public func wait(seconds: Double) -> Bool {
        let deadline = Date(timeIntervalSinceNow: seconds)
        condition.lock()
        defer { condition.unlock() }
        while !raised && condition.wait(until: deadline) {}
        return raised
    }
}
