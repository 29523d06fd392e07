#if canImport(Glibc)
import Glibc
#endif

/// Wall-clock time in milliseconds since the Unix epoch, written as RFC 3339
/// in UTC with milliseconds: `2026-11-25T20:55:51.123Z`.
public struct Timestamp: Sendable, Equatable, Comparable {
    public let millisecondsSinceEpoch: Int64

    public init(millisecondsSinceEpoch: Int64) { self.millisecondsSinceEpoch = millisecondsSinceEpoch }

    public static func now() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(millisecondsSinceEpoch: Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000)
    }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.millisecondsSinceEpoch < b.millisecondsSinceEpoch }

    public var rfc3339: String {
        var seconds = time_t(millisecondsSinceEpoch / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let ms = Int(millisecondsSinceEpoch % 1000)
        var out = ""
        out.reserveCapacity(24)
        func pad(_ value: Int, _ width: Int) {
            let digits = String(value)
            for _ in digits.count..<width { out += "0" }
            out += digits
        }
        pad(Int(parts.tm_year) + 1900, 4); out += "-"
        pad(Int(parts.tm_mon) + 1, 2); out += "-"
        pad(Int(parts.tm_mday), 2); out += "T"
        pad(Int(parts.tm_hour), 2); out += ":"
        pad(Int(parts.tm_min), 2); out += ":"
        pad(Int(parts.tm_sec), 2); out += "."
        pad(ms, 3); out += "Z"
        return out
    }
}
