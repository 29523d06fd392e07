import Synchronization

/// Counts refusals per source so a page hammering the agent fills neither
/// the log nor the CPU: up to `perMinute` refusals a minute are answered
/// and logged, the rest get 429 and are only counted.
public final class RefusalLimiter: Sendable {
    private struct Window {
        var start: Double
        var count: Int
    }

    private let windows = Mutex<[String: Window]>([:])
    private let perMinute: Int
    private let clock: @Sendable () -> Double

    public init(perMinute: Int = 10, clock: @escaping @Sendable () -> Double = WallClock.seconds) {
        self.perMinute = perMinute
        self.clock = clock
    }

    /// Records a refusal for `source`; true while it is within the limit.
    public func allow(_ source: String) -> Bool {
        let now = clock()
        return windows.withLock { windows in
            if windows.count > 1000 { windows = windows.filter { now - $0.value.start < 60 } }
            var window = windows[source] ?? Window(start: now, count: 0)
            if now - window.start >= 60 { window = Window(start: now, count: 0) }
            window.count += 1
            windows[source] = window
            return window.count <= perMinute
        }
    }
}
