import ProctorJSON
import X11Support

/// The `screen.reactivated` event for an enforcer action, nil for the
/// re-assertion itself (which the watcher carries out on its display server).
enum ReactivationEvent {
    static func make(_ action: FullscreenEnforcer.Action, attemptsInWindow: Int) -> OutgoingEvent? {
        switch action {
        case .reassert:
            return nil
        case .restored(let attempt, let violation, let waited, let took):
            return OutgoingEvent("screen.reactivated", [
                "attempt": .number(Double(attempt)), "result": "restored", "violation": .string(violation.rawValue),
                "waited_ms": waited.milliseconds, "time_to_restore_ms": took.milliseconds,
                "attempts_in_window": .number(Double(attemptsInWindow)),
            ])
        case .failed(let attempt, let violation, let retryIn):
            return OutgoingEvent("screen.reactivated", [
                "attempt": .number(Double(attempt)), "result": "failed", "violation": .string(violation.rawValue),
                "retry_in_ms": retryIn.milliseconds, "attempts_in_window": .number(Double(attemptsInWindow)),
            ])
        case .gaveUp(let attempts, let violation, let retryIn):
            return OutgoingEvent("screen.reactivated", [
                "attempt": .number(Double(attempts)), "result": "gave_up", "violation": .string(violation.rawValue),
                "retry_in_ms": retryIn.milliseconds, "attempts_in_window": .number(Double(attempts)),
            ])
        }
    }
}
