import Testing

@testable import Screen

/// Walks every edge of the full-screen enforcer with explicit times.
@Suite struct FullscreenEnforcerTests {
    let policy = FullscreenEnforcer.Policy(grace: 2, verify: 1, backoffInitial: 1, backoffMaximum: 4, limit: 3, window: 60)

    func kept() -> FullscreenEnforcer {
        var m = FullscreenEnforcer(policy: policy)
        #expect(m.handle(.observed(nil), now: 0).isEmpty)
        #expect(m.state == .kept)
        return m
    }

    @Test func backoffGrowsFromNothingToTheMaximum() {
        #expect((0...5).map { policy.backoff(after: $0) } == [0, 1, 2, 4, 4, 4])
    }

    @Test func idleGoesToKeptOrWaitsTheGracePeriod() {
        var m = FullscreenEnforcer(policy: policy)
        #expect(m.deadline == nil)
        #expect(m.handle(.observed(.exitedFullscreen), now: 10).isEmpty)
        #expect(m.state == .waiting(.exitedFullscreen, since: 10, until: 12))
        #expect(m.deadline == 12)
    }

    @Test func aViolationWithinTheGracePeriodThatEndsCostsNoAttempt() {
        var m = kept()
        _ = m.handle(.observed(.minimised), now: 1)
        #expect(m.handle(.observed(.exitedFullscreen), now: 1.5).isEmpty)
        #expect(m.state == .waiting(.exitedFullscreen, since: 1, until: 3), "the violation is updated, the deadline kept")
        #expect(m.handle(.observed(nil), now: 2).isEmpty)
        #expect(m.state == .kept)
        #expect(m.attempts.isEmpty)
    }

    @Test func anEarlyDeadlineDoesNothing() {
        var m = kept()
        _ = m.handle(.observed(.covered), now: 1)
        #expect(m.handle(.deadlineReached, now: 2.9).isEmpty)
        #expect(m.state == .waiting(.covered, since: 1, until: 3))
        var idle = FullscreenEnforcer(policy: policy)
        #expect(idle.handle(.deadlineReached, now: 5).isEmpty)
        #expect(idle.state == .idle)
    }

    @Test func afterTheGracePeriodItReassertsAndReportsTheRestore() {
        var m = kept()
        _ = m.handle(.observed(.exitedFullscreen), now: 1)
        #expect(m.handle(.deadlineReached, now: 3) == [.reassert(attempt: 1, violation: .exitedFullscreen)])
        #expect(m.state == .reasserting(.exitedFullscreen, since: 1, attempt: 1, sent: 3, until: 4))
        #expect(m.isReasserting)
        #expect(m.handle(.observed(.resized), now: 3.1).isEmpty, "still off while the window manager works")
        #expect(m.state == .reasserting(.exitedFullscreen, since: 1, attempt: 1, sent: 3, until: 4), "the attempt keeps its cause")
        #expect(m.handle(.observed(nil), now: 3.25) == [.restored(attempt: 1, violation: .exitedFullscreen, waited: 2, took: 2.25)])
        #expect(m.state == .kept)
        #expect(m.attempts == [3])
    }

    @Test func aFailedAttemptBacksOffThenTriesAgain() {
        var m = kept()
        _ = m.handle(.observed(.covered), now: 0)
        _ = m.handle(.deadlineReached, now: 2)
        #expect(m.handle(.deadlineReached, now: 3) == [.failed(attempt: 1, violation: .covered, retryIn: 1)])
        #expect(m.state == .waiting(.covered, since: 0, until: 4))
        #expect(m.handle(.deadlineReached, now: 4) == [.reassert(attempt: 2, violation: .covered)])
        #expect(m.handle(.deadlineReached, now: 5) == [.failed(attempt: 2, violation: .covered, retryIn: 2)])
        #expect(m.state == .waiting(.covered, since: 0, until: 7))
    }

    @Test func eachViolationWithinTheWindowWaitsLongerUntilTheLimitHoldsItBack() {
        var m = kept()
        var waits: [Double] = []
        var now = 0.0
        for attempt in 1...3 {
            _ = m.handle(.observed(.exitedFullscreen), now: now)
            let due = m.deadline!
            waits.append(due - now)
            #expect(m.handle(.deadlineReached, now: due) == [.reassert(attempt: attempt, violation: .exitedFullscreen)])
            now = due + 1
            #expect(m.handle(.observed(nil), now: now).first.map { if case .restored = $0 { true } else { false } } == true)
        }
        #expect(waits == [2, 3, 4], "grace, then grace plus a growing backoff")
        // The limit (3 within 60 s) is reached: the next violation is held back at once.
        #expect(m.handle(.observed(.exitedFullscreen), now: 20) == [.gaveUp(attempts: 3, violation: .exitedFullscreen, retryIn: 42)])
        #expect(m.state == .holding(.exitedFullscreen, since: 20, until: 62))
        #expect(m.handle(.observed(.minimised), now: 21).isEmpty)
        #expect(m.state == .holding(.minimised, since: 20, until: 62))
        // The user puts it back themselves: kept, and the count stays.
        #expect(m.handle(.observed(nil), now: 22).isEmpty)
        #expect(m.state == .kept)
        #expect(m.attempts.count == 3)
    }

    @Test func aHoldEndsWhenTheOldestAttemptLeavesTheWindow() {
        var m = kept()
        for t in [0.0, 10, 20] {
            _ = m.handle(.observed(.exitedFullscreen), now: t)
            _ = m.handle(.deadlineReached, now: m.deadline!)
            _ = m.handle(.observed(nil), now: m.deadline! - 0.5)
        }
        _ = m.handle(.observed(.minimised), now: 30)
        guard case .holding(_, _, let until) = m.state else {
            Issue.record("not holding: \(m.state)")
            return
        }
        #expect(until == 62, "the first attempt was at 2 (0 plus grace)")
        #expect(m.handle(.deadlineReached, now: 62) == [.reassert(attempt: 3, violation: .minimised)])
        #expect(m.attempts.count == 3)
    }

    @Test func aFailureThatReachesTheLimitSaysSoAndHolds() {
        var m = kept()
        for t in [0.0, 10] {
            _ = m.handle(.observed(.covered), now: t)
            _ = m.handle(.deadlineReached, now: m.deadline!)
            _ = m.handle(.observed(nil), now: m.deadline! - 0.5)
        }
        _ = m.handle(.observed(.covered), now: 20)
        _ = m.handle(.deadlineReached, now: m.deadline!)  // third attempt, at 20 + 2 + 2
        #expect(m.handle(.deadlineReached, now: 25) == [
            .failed(attempt: 3, violation: .covered, retryIn: 37), .gaveUp(attempts: 3, violation: .covered, retryIn: 37),
        ])
        #expect(m.state == .holding(.covered, since: 20, until: 62))
    }

    @Test func losingTheWindowOrDisablingResets() {
        var m = kept()
        _ = m.handle(.observed(.minimised), now: 1)
        #expect(m.handle(.windowLost, now: 2).isEmpty)
        #expect(m.state == .idle)
        _ = m.handle(.observed(.minimised), now: 3)
        #expect(m.handle(.enabled(false), now: 4).isEmpty)
        #expect(m.state == .idle)
        #expect(m.handle(.observed(.minimised), now: 5).isEmpty, "ignored while disabled")
        #expect(m.state == .idle)
        #expect(m.handle(.deadlineReached, now: 100).isEmpty)
        _ = m.handle(.enabled(true), now: 6)
        #expect(m.enabled)
        _ = m.handle(.observed(.minimised), now: 6)
        #expect(m.state == .waiting(.minimised, since: 6, until: 8))
    }

    @Test func aRestoreWhileBackingOffOrHoldingIsKept() {
        var m = kept()
        _ = m.handle(.observed(.covered), now: 0)
        _ = m.handle(.deadlineReached, now: 2)
        _ = m.handle(.deadlineReached, now: 3)  // failed, backing off
        #expect(m.handle(.observed(.covered), now: 3.5).isEmpty)
        #expect(m.handle(.observed(nil), now: 3.6).isEmpty)
        #expect(m.state == .kept)
    }
}
