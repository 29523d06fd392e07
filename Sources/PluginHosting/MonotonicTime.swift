#if canImport(Glibc)
import Glibc
#endif

/// Time that only moves forward, for timeouts and rate limits on both sides
/// of the plugin process model (without Foundation, which the plugin host
/// does not link).
public enum MonotonicTime {
    /// Nanoseconds since an arbitrary moment (CLOCK_MONOTONIC).
    public static func nanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }

    public static func milliseconds() -> UInt64 { nanoseconds() / 1_000_000 }
}
