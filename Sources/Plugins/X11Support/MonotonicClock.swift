#if canImport(Glibc)
import Glibc
#endif

/// Seconds on a clock that never jumps. The state machines take `now` as an
/// argument; the session reads it here, and tests pass their own.
public protocol MonotonicClock: Sendable {
    var now: Double { get }
}

public struct SystemMonotonicClock: MonotonicClock {
    public init() {}

    public var now: Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}
