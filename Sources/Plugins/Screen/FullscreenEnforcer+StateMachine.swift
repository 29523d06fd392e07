/// Keeps the call page full screen without ever fighting the user in a loop,
/// as a pure state machine: inputs are what the watcher observed and the
/// passing of deadlines, outputs are actions to carry out. Time is passed in,
/// so tests walk every edge without sleeping.
///
/// After a violation it waits `grace` (plus a backoff that grows with each
/// attempt already made within `window`), re-asserts, and waits `verify` for
/// the window manager to comply. At `limit` attempts within `window` it holds
/// back until the oldest attempt leaves the window.
public struct FullscreenEnforcer: Sendable {
    public struct Policy: Equatable, Sendable {
        public var grace: Double
        public var verify: Double
        public var backoffInitial: Double
        public var backoffMaximum: Double
        public var limit: Int
        public var window: Double

        public init(grace: Double, verify: Double, backoffInitial: Double, backoffMaximum: Double, limit: Int, window: Double) {
            self.grace = grace
            self.verify = verify
            self.backoffInitial = backoffInitial
            self.backoffMaximum = backoffMaximum
            self.limit = limit
            self.window = window
        }

        /// The extra wait before an attempt when `previous` attempts were made
        /// within the window: 0, then initial, doubling, up to the maximum.
        public func backoff(after previous: Int) -> Double {
            guard previous > 0 else { return 0 }
            return min(backoffMaximum, backoffInitial * Double(1 << min(previous - 1, 30)))
        }
    }

    public enum State: Equatable, Sendable {
        /// No call page window, or enforcement is off.
        case idle
        /// The window is full screen, shown and uncovered.
        case kept
        /// A violation since `since`; the next attempt is due at `until`.
        case waiting(Violation, since: Double, until: Double)
        /// Attempt `attempt` was sent at `sent`; it has until `until` to work.
        case reasserting(Violation, since: Double, attempt: Int, sent: Double, until: Double)
        /// The limit is reached: nothing is tried before `until`.
        case holding(Violation, since: Double, until: Double)
    }

    public enum Input: Equatable, Sendable {
        /// The window's current violation, nil when it is kept.
        case observed(Violation?)
        /// The call page window is gone (closed, or the X server went away).
        case windowLost
        case enabled(Bool)
        /// `deadline` has passed.
        case deadlineReached
    }

    public enum Action: Equatable, Sendable {
        case reassert(attempt: Int, violation: Violation)
        /// The window is back after attempt `attempt`: `waited` from the
        /// violation to the attempt, `took` from the violation to now.
        case restored(attempt: Int, violation: Violation, waited: Double, took: Double)
        case failed(attempt: Int, violation: Violation, retryIn: Double)
        case gaveUp(attempts: Int, violation: Violation, retryIn: Double)
    }

    public let policy: Policy
    public private(set) var state: State = .idle
    public private(set) var enabled: Bool
    /// When the attempts within the window were made, oldest first.
    public private(set) var attempts: [Double] = []

    public init(policy: Policy, enabled: Bool = true) {
        self.policy = policy
        self.enabled = enabled
    }

    /// When `deadlineReached` is due, nil when nothing is pending.
    public var deadline: Double? {
        switch state {
        case .idle, .kept: nil
        case .waiting(_, _, let until), .reasserting(_, _, _, _, let until), .holding(_, _, let until): until
        }
    }

    /// True while an attempt awaits its result (a return to full screen now is the agent's doing).
    public var isReasserting: Bool {
        if case .reasserting = state { return true }
        return false
    }

    public mutating func handle(_ input: Input, now: Double) -> [Action] {
        switch input {
        case .enabled(let on):
            enabled = on
            state = .idle
            return []
        case .windowLost:
            state = .idle
            return []
        case _ where !enabled:
            return []
        case .observed(let violation):
            return observe(violation, now: now)
        case .deadlineReached:
            guard let deadline, now >= deadline else { return [] }
            return deadlineReached(now: now)
        }
    }

    private mutating func observe(_ violation: Violation?, now: Double) -> [Action] {
        switch (state, violation) {
        case (.idle, nil), (.kept, nil), (.waiting, nil), (.holding, nil):
            state = .kept
            return []
        case (.idle, let v?), (.kept, let v?):
            return schedule(v, since: now, now: now, extra: policy.grace)
        case (.waiting(_, let since, let until), let v?):
            state = .waiting(v, since: since, until: until)
            return []
        case (.holding(_, let since, let until), let v?):
            state = .holding(v, since: since, until: until)
            return []
        case (.reasserting(let v, let since, let attempt, let sent, _), nil):
            state = .kept
            return [.restored(attempt: attempt, violation: v, waited: sent - since, took: now - since)]
        case (.reasserting, _?):
            return []  // the window manager is at work; the attempt is about what triggered it
        }
    }

    private mutating func deadlineReached(now: Double) -> [Action] {
        switch state {
        case .waiting(let v, let since, _), .holding(let v, let since, _):
            prune(now)
            if attempts.count >= policy.limit { return hold(v, since: since, now: now) }
            attempts.append(now)
            state = .reasserting(v, since: since, attempt: attempts.count, sent: now, until: now + policy.verify)
            return [.reassert(attempt: attempts.count, violation: v)]
        case .reasserting(let v, let since, let attempt, _, _):
            prune(now)
            if attempts.count >= policy.limit {
                let actions = hold(v, since: since, now: now)
                guard case .gaveUp(_, _, let retry)? = actions.first else { return actions }
                return [.failed(attempt: attempt, violation: v, retryIn: retry)] + actions
            }
            let delay = max(policy.backoffInitial, policy.backoff(after: attempts.count))
            state = .waiting(v, since: since, until: now + delay)
            return [.failed(attempt: attempt, violation: v, retryIn: delay)]
        case .idle, .kept:
            return []
        }
    }

    /// Waits `extra` plus the backoff the attempts so far call for, or holds
    /// back when the limit is reached.
    private mutating func schedule(_ v: Violation, since: Double, now: Double, extra: Double) -> [Action] {
        prune(now)
        if attempts.count >= policy.limit { return hold(v, since: since, now: now) }
        state = .waiting(v, since: since, until: now + extra + policy.backoff(after: attempts.count))
        return []
    }

    private mutating func hold(_ v: Violation, since: Double, now: Double) -> [Action] {
        let until = (attempts.first ?? now) + policy.window
        state = .holding(v, since: since, until: until)
        return [.gaveUp(attempts: attempts.count, violation: v, retryIn: until - now)]
    }

    private mutating func prune(_ now: Double) {
        attempts.removeAll { now - $0 >= policy.window }
    }
}
