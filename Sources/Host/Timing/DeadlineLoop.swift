/// Runs a pass of work each time its next deadline comes, and sleeps in
/// between: the pass says when it is next due, and `wake` runs one at once
/// (a new deadline appeared, or the clock was moved). So a loop that only has
/// something to do every few minutes wakes every few minutes, not every second.
///
/// Deadlines are on `clock` (wall-clock seconds, as the protocol counts) while
/// the sleep is monotonic: a sleep is cut at `longestSleep`, so a wall clock
/// that steps or a machine that was suspended is noticed within it.
public final class DeadlineLoop: Sendable {
    private let alarm = Alarm()
    private let clock: @Sendable () -> Double
    private let longestSleep: Double

    public init(longestSleep: Double = 60, clock: @escaping @Sendable () -> Double) {
        self.longestSleep = longestSleep
        self.clock = clock
    }

    /// [any-thread] Runs the next pass now (or as soon as the current one ends).
    public func wake() { alarm.ring() }

    /// Runs `pass` until the calling task is cancelled. `pass` returns when
    /// it is next due, on `clock`, or nil when only `wake` can give it work.
    public func run(_ pass: @Sendable () async -> Double?) async {
        while !Task.isCancelled {
            let due = await pass()
            let seconds = min(longestSleep, max(0, (due ?? .infinity) - clock()))
            await alarm.wait(timeout: .milliseconds(Int((seconds * 1000).rounded(.up))))
        }
    }
}
