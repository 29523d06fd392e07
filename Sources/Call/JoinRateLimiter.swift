import Foundation
import Synchronization

/// Counts failed code checks and joins (unknown code, wrong secret) per
/// remote address, and refuses an address that failed more than `limit`
/// times within `window`: codes have 100 bits, but nobody should get to try
/// many of them quickly.
public final class JoinRateLimiter: Sendable {
    public let limit: Int
    public let window: TimeInterval
    private let clock: @Sendable () -> Date
    private let failures = Mutex<[String: [Date]]>([:])
    /// Addresses remembered at once; the oldest entries go first beyond this.
    private static let maximumAddresses = 10_000

    public init(limit: Int = 10, window: TimeInterval = 60, clock: @escaping @Sendable () -> Date = Date.init) {
        self.limit = limit
        self.window = window
        self.clock = clock
    }

    /// How long `address` must wait before it may try again, or nil when it may now.
    public func retryAfter(_ address: String) -> TimeInterval? {
        let now = clock()
        return failures.withLock { table in
            let recent = (table[address] ?? []).filter { now.timeIntervalSince($0) < window }
            table[address] = recent.isEmpty ? nil : recent
            guard recent.count >= limit, let oldest = recent.first else { return nil }
            return max(0.001, window - now.timeIntervalSince(oldest))
        }
    }

    public func recordFailure(_ address: String) {
        let now = clock()
        failures.withLock { table in
            if table[address] == nil, table.count >= Self.maximumAddresses {
                table = table.filter { $0.value.contains { now.timeIntervalSince($0) < window } }
                if table.count >= Self.maximumAddresses, let any = table.keys.first { table[any] = nil }
            }
            var recent = (table[address] ?? []).filter { now.timeIntervalSince($0) < window }
            recent.append(now)
            table[address] = Array(recent.suffix(limit + 1))
        }
    }
}
