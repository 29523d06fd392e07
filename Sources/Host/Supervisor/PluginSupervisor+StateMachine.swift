/// The life of one supervised plugin as a pure state machine: inputs come
/// from the child and from timers, outputs are actions for the supervisor to
/// carry out. Time is passed in, so tests walk every edge without sleeping.
public struct SupervisorStateMachine: Sendable {
    public enum State: Sendable, Equatable {
        case idle
        case starting(attempt: Int)
        case running(degraded: String?)
        /// Waiting to restart after a crash; `crashLoop` when held back.
        case waiting(reason: String, delay: Duration, crashLoop: Bool)
        case stopping
        case stopped
    }

    public enum Input: Sendable, Equatable {
        case launch
        case started
        case health(degraded: String?)
        case exited(reason: String)
        case restartDue
        case stopRequested
    }

    public enum Action: Sendable, Equatable {
        case spawn
        case stopChild
        case scheduleRestart(after: Duration)
        case cancelRestart
        case publish
    }

    public private(set) var state: State = .idle
    public private(set) var attempt = 0
    /// Health a plugin reported before its start returned; applied at `started`.
    private var healthWhileStarting: String?
    /// When the recent crashes happened (seconds on the caller's clock).
    public private(set) var crashTimes: [Double] = []
    public let policy: RestartPolicy

    public init(policy: RestartPolicy) { self.policy = policy }

    /// Restarts so far (attempts after the first).
    public var restarts: Int { max(0, attempt - 1) }

    public mutating func handle(_ input: Input, now: Double) -> [Action] {
        switch (state, input) {
        case (.idle, .launch):
            attempt = 1
            state = .starting(attempt: 1)
            return [.spawn, .publish]
        case (.starting, .started):
            state = .running(degraded: healthWhileStarting)
            healthWhileStarting = nil
            return [.publish]
        case (.running(let current), .health(let degraded)):
            guard current != degraded else { return [] }
            state = .running(degraded: degraded)
            return [.publish]
        case (.starting, .health(let degraded)):
            healthWhileStarting = degraded  // its threads may report before start returns
            return []
        case (.starting, .exited(let reason)), (.running, .exited(let reason)):
            return crashed(reason: reason, now: now)
        case (.waiting, .restartDue):
            attempt += 1
            healthWhileStarting = nil
            state = .starting(attempt: attempt)
            return [.spawn, .publish]
        case (.starting, .stopRequested), (.running, .stopRequested):
            state = .stopping
            return [.stopChild, .publish]
        case (.waiting, .stopRequested), (.idle, .stopRequested):
            state = .stopped
            return [.cancelRestart, .publish]
        case (.stopping, .exited):
            state = .stopped
            return [.publish]
        default:
            return []  // e.g. a late health report from a child being stopped
        }
    }

    private mutating func crashed(reason: String, now: Double) -> [Action] {
        crashTimes.append(now)
        crashTimes.removeAll { now - $0 > Double(policy.crashLoopWindowSeconds) }
        if crashTimes.count >= policy.crashLoopLimit {
            let hold = Duration.seconds(policy.crashLoopHoldSeconds)
            crashTimes.removeAll()  // after the hold, start counting afresh
            state = .waiting(reason: reason, delay: hold, crashLoop: true)
            return [.scheduleRestart(after: hold), .publish]
        }
        let exponent = min(crashTimes.count - 1, 30)
        let delay = min(policy.initialDelayMilliseconds << exponent, policy.maximumDelayMilliseconds)
        state = .waiting(reason: reason, delay: .milliseconds(delay), crashLoop: false)
        return [.scheduleRestart(after: .milliseconds(delay)), .publish]
    }
}
