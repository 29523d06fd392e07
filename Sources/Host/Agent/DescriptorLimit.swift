#if canImport(Glibc)
import Glibc
#endif

/// The agent's open-file limit. Distributions start processes with a soft
/// limit of 1,024 under a hard limit many times higher; an agent that serves
/// connections raises its own soft limit to the hard one, so connections
/// cannot take the descriptors its plugins and the interviewee's page need.
public enum DescriptorLimit {
    /// Raises the soft limit to the hard limit; returns both limits before
    /// and after, or nil when the kernel refused.
    @discardableResult
    public static func raiseToHardLimit() -> (before: UInt64, after: UInt64)? {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
        let before = UInt64(limit.rlim_cur)
        guard limit.rlim_cur < limit.rlim_max else { return (before, before) }
        limit.rlim_cur = limit.rlim_max
        guard setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
        return (before, UInt64(limit.rlim_cur))
    }
}
