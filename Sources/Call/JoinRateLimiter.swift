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
        let key = Self.key(address), now = clock()
        return failures.withLock { table in
            let recent = (table[key] ?? []).filter { now.timeIntervalSince($0) < window }
            table[key] = recent.isEmpty ? nil : recent
            guard recent.count >= limit, let oldest = recent.first else { return nil }
            return max(0.001, window - now.timeIntervalSince(oldest))
        }
    }

    /// Counts an attempt before it is tried, so attempts sent at once cannot
    /// all pass the check before the first failure is counted: nil when it may
    /// go ahead, else how long to wait. One that succeeds is given back with
    /// `succeeded`. IPv6 addresses count by their /64, which one host holds whole.
    public func attempt(_ address: String) -> TimeInterval? {
        let key = Self.key(address), now = clock()
        return failures.withLock { table in
            let recent = (table[key] ?? []).filter { now.timeIntervalSince($0) < window }
            if recent.count >= limit, let oldest = recent.first { return max(0.001, window - now.timeIntervalSince(oldest)) }
            Self.record(now, for: key, in: &table, limit: limit, window: window)
            return nil
        }
    }

    /// Gives back the attempt counted last for `address`: it opened a room.
    public func succeeded(_ address: String) {
        let key = Self.key(address)
        failures.withLock { table in
            guard var recent = table[key], !recent.isEmpty else { return }
            recent.removeLast()
            table[key] = recent.isEmpty ? nil : recent
        }
    }

    static func key(_ address: String) -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        guard address.contains(":"), inet_pton(AF_INET6, address, &bytes) == 1 else { return address }
        return bytes[0..<8].map { String($0, radix: 16) }.joined(separator: ".") + "/64"
    }

    private static func record(_ now: Date, for key: String, in table: inout [String: [Date]], limit: Int, window: TimeInterval) {
        if table[key] == nil, table.count >= maximumAddresses {
            table = table.filter { $0.value.contains { now.timeIntervalSince($0) < window } }
            if table.count >= maximumAddresses, let any = table.keys.first { table[any] = nil }
        }
        var recent = (table[key] ?? []).filter { now.timeIntervalSince($0) < window }
        recent.append(now)
        table[key] = Array(recent.suffix(limit + 1))
    }

    /// Counts one failed attempt that was not counted up front.
    public func recordFailure(_ address: String) {
        let key = Self.key(address), now = clock()
        failures.withLock { Self.record(now, for: key, in: &$0, limit: limit, window: window) }
    }
}
