/// SplitMix64: a small seedable generator, so a test's random input is the
/// same every run with the same seed.
public struct SplitMix: Sendable {
    public var state: UInt64

    public init(state: UInt64) { self.state = state }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
    public mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) } }

    /// A value in -range...range, rounded to two decimals.
    public mutating func jitter(_ range: Double) -> Double {
        ((Double(next() >> 11) / Double(1 << 53) * 2 - 1) * range * 100).rounded() / 100
    }
}
