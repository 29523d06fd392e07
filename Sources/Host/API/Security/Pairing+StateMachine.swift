/// The pairing code's life as a pure state machine: a code lives for a fixed
/// time and one successful pairing. Wrong proofs are counted per origin, and
/// too many lock pairing for that origin alone for a while, so a page that
/// guesses cannot lock out the interviewee's page from another origin, nor
/// change the code under the person typing it. The bound on guessing holds
/// per origin: `maximumFailures` guesses per `lockout` against a code that
/// lives `lifetime`. The person at the machine can end every lock. Time is
/// passed in.
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
    /// Wrong proofs per origin since its last lock or success; reset when the code changes.
    public private(set) var failures: [String: Int] = [:]
    /// Locked origins and when each lock ends.
    public private(set) var lockedUntil: [String: Double] = [:]
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

    /// Checks a proof sent from `origin` with `check(code)`, which compares
    /// in constant time.
    public mutating func verify(origin: String, now: Double, _ check: (String) -> Bool) -> Verdict {
        dropEndedLocks(now: now)
        if let until = lockedUntil[origin] { return .locked(seconds: Int((until - now).rounded(.up))) }
        if now >= expiresAt { rotate(now: now) }
        if check(code) {
            rotate(now: now)  // single use
            return .accepted
        }
        let count = failures[origin, default: 0] + 1
        if count >= policy.maximumFailures {
            failures[origin] = nil
            lockedUntil[origin] = now + policy.lockout
            return .locked(seconds: Int(policy.lockout))
        }
        failures[origin] = count
        return .rejected(remaining: policy.maximumFailures - count)
    }

    /// The origins locked now, with the seconds each lock has left.
    public func locks(now: Double) -> [(origin: String, seconds: Int)] {
        lockedUntil.filter { now < $0.value }.map { ($0.key, Int(($0.value - now).rounded(.up))) }.sorted { $0.origin < $1.origin }
    }

    /// Ends every lock and forgets every wrong proof (the person at the
    /// machine asked); returns the origins that were locked.
    public mutating func unlock(now: Double) -> [String] {
        let ended = locks(now: now).map(\.origin)
        lockedUntil = [:]
        failures = [:]
        return ended
    }

    private mutating func dropEndedLocks(now: Double) {
        lockedUntil = lockedUntil.filter { now < $0.value }
    }

    private mutating func rotate(now: Double) {
        code = makeCode(policy.digits)
        issuedAt = now
        failures = [:]
    }
}
