import ProctorHost
import ProctorJSON
import Synchronization

/// The agent's one pairing code, safe to use from every connection: checks
/// proofs against it and tells `announce` each time a new code must be shown
/// to the person at the machine.
public final class PairingService: Sendable {
    private let machine: Mutex<PairingStateMachine>
    private let clock: @Sendable () -> Double
    private let announce: @Sendable (String, Double) -> Void

    public init(
        policy: PairingStateMachine.Policy = .init(), clock: @escaping @Sendable () -> Double = WallClock.seconds,
        announce: @escaping @Sendable (_ code: String, _ expiresAt: Double) -> Void
    ) {
        self.clock = clock
        self.announce = announce
        let machine = PairingStateMachine(policy: policy, now: clock())
        self.machine = Mutex(machine)
        announce(machine.code, machine.expiresAt)
    }

    /// The code to show now and when it expires; replaces an expired one.
    public func current() -> (code: String, expiresAt: Double, locks: [(origin: String, seconds: Int)]) {
        let now = clock()
        let (code, expiresAt, rotated, locks) = machine.withLock { machine in
            let current = machine.current(now: now)
            return (current.code, current.expiresAt, current.rotated, machine.locks(now: now))
        }
        if rotated { announce(code, expiresAt) }
        return (code, expiresAt, locks)
    }

    /// Ends every pairing lock; returns the origins that were locked.
    public func unlock() -> [String] {
        let now = clock()
        return machine.withLock { $0.unlock(now: now) }
    }

    /// The pairing state as the agent's page and `proctord pairing-code
    /// --json` show it.
    public func json() -> JSONValue {
        let current = current()
        return [
            "code": .string(current.code), "expires_at": .string(Timestamp(seconds: current.expiresAt).rfc3339),
            "locked": .array(current.locks.map { ["origin": .string($0.origin), "seconds_left": .number(Double($0.seconds))] }),
        ]
    }

    /// Checks a page's proof; a success (or an expired code) replaces the code.
    public func verify(proof: String, challenge: String, origin: String) -> PairingStateMachine.Verdict {
        let now = clock()
        let (verdict, rotated, code, expiresAt) = machine.withLock { machine in
            let before = (machine.code, machine.issuedAt)
            let verdict = machine.verify(origin: origin, now: now) { PairingProof.verify(proof, code: $0, challenge: challenge, origin: origin) }
            return (verdict, before != (machine.code, machine.issuedAt), machine.code, machine.expiresAt)
        }
        if rotated { announce(code, expiresAt) }
        return verdict
    }
}

/// Seconds since the Unix epoch, as the protocol's clocks count.
public enum WallClock {
    @Sendable public static func seconds() -> Double {
        Double(Timestamp.now().millisecondsSinceEpoch) / 1000
    }
}
