/// The delays between attempts to reach an X server that went away: they
/// double from `initial` up to `maximum`, and start over after a success.
public struct ReconnectBackoff: Equatable, Sendable {
    public let initial: Double
    public let maximum: Double
    public private(set) var failures = 0

    public init(initial: Double = 0.25, maximum: Double = 5) {
        self.initial = initial
        self.maximum = max(initial, maximum)
    }

    /// The delay before the next attempt, counting one more failure.
    public mutating func next() -> Double {
        defer { failures += 1 }
        return min(maximum, initial * Double(1 << min(failures, 30)))
    }

    public mutating func reset() { failures = 0 }
}
