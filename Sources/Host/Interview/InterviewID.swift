#if canImport(Glibc)
import Glibc
#endif

/// Interview ids: `i_20261207T013300Z_3fa91c`, the start time first so the
/// files sort by time, then random hex so two starts in one second differ.
public enum InterviewID {
    static func make(at time: Timestamp) -> String {
        var seconds = time_t(time.millisecondsSinceEpoch / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        let stamp = pad(parts.tm_year + 1900, 4) + pad(parts.tm_mon + 1, 2) + pad(parts.tm_mday, 2) + "T"
            + pad(parts.tm_hour, 2) + pad(parts.tm_min, 2) + pad(parts.tm_sec, 2) + "Z"
        var random = SystemRandomNumberGenerator()
        let suffix = (0..<6).map { _ in String(Int.random(in: 0..<16, using: &random), radix: 16) }.joined()
        return "i_" + stamp + "_" + suffix
    }

    /// What an id may look like: also what keeps a CLI argument from naming
    /// a file outside the interviews directory.
    public static func isValid(_ id: String) -> Bool {
        id.hasPrefix("i_") && id.count <= 64
            && id.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F }
    }
}
