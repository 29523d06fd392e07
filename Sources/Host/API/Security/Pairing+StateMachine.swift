/// The pairing code's life as a pure state machine: a code lives for a fixed
/// time and one successful pairing; wrong proofs are counted, and too many
/// replace the code and lock pairing for a while. Time is passed in.
public struct PairingStateMachine: Sendable {
    public struct Policy: Sendable {
        public var digits = 6
        public var lifetime: Double = 300
        public var maximumFailures = 5
        public var lockout: Double = 60
        public init() {}
    }

    public enum Verdict: Sendable, Equatable {
        case accepted
        /// Wrong proof; `remaining` tries before lock-out.
        case rejected(remaining: Int)
        /// Too many wrong proofs; pairing opens again in `seconds`.
        case locked(seconds: Int)
    }

    public let policy: Policy
    public private(set) var code: String
    public private(set) var issuedAt: Double
    public private(set) var failures = 0
    public private(set) var lockedUntil: Double?
    private let makeCode: @Sendable (Int) -> String

    public init(policy: Policy = Policy(), now: Double, makeCode: @escaping @Sendable (Int) -> String = Secret.digits) {
        self.policy = policy
        self.makeCode = makeCode
        self.code = makeCode(policy.digits)
        self.issuedAt = now
    }

    public var expiresAt: Double { issuedAt + policy.lifetime }

    /// The code to show now, replaced first if it expired. True in `rotated`
    /// when a new code was made (the caller shows it).
    public mutating func current(now: Double) -> (code: String, expiresAt: Double, rotated: Bool) {
        let rotated = now >= expiresAt
        if rotated { rotate(now: now) }
        return (code, expiresAt, rotated)
    }

    /// Checks a proof with `check(code)`, which compares in constant time.
    public mutating func verify(now: Double, _ check: (String) -> Bool) -> Verdict {
        if let until = lockedUntil {
            if now < until { return .locked(seconds: Int((until - now).rounded(.up))) }
            lockedUntil = nil
        }
        if now >= expiresAt { rotate(now: now) }
        if check(code) {
            rotate(now: now)  // single use
            return .accepted
        }
        failures += 1
        if failures >= policy.maximumFailures {
            rotate(now: now)
            lockedUntil = now + policy.lockout
            return .locked(seconds: Int(policy.lockout))
        }
        return .rejected(remaining: policy.maximumFailures - failures)
    }

    public func lockedFor(now: Double) -> Int? {
        guard let until = lockedUntil, now < until else { return nil }
        return Int((until - now).rounded(.up))
    }

    private mutating func rotate(now: Double) {
        code = makeCode(policy.digits)
        issuedAt = now
        failures = 0
    }
}
