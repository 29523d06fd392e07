@testable import ProctorHost
import ProctorTestSupport
import Synchronization
import Testing

/// The two brakes on a plugin that talks too much: log lines per second,
/// and health changes per interval.
@Suite struct ThrottleTests {
    @Test func aLineBudgetAdmitsItsShareEachSecondAndCountsTheRest() {
        var budget = LineBudget(perSecond: 3)
        let first = (0..<5).map { budget.admit(now: 10_000 + UInt64($0)) }
        #expect(first.map(\.allowed) == [true, true, true, false, false])
        #expect(first.allSatisfy { $0.heldBackBefore == 0 } && budget.suppressed == 2)
        let next = budget.admit(now: 11_000)
        #expect(next.allowed && next.heldBackBefore == 2, "the new window says what the last one held back")
        #expect(budget.suppressed == 0)
    }

    @Test func healthChangesLeaveAtMostOncePerIntervalAndEndOnTheLatest() async {
        let forwarded = Mutex<[String?]>([])
        let throttle = HealthThrottle(intervalMilliseconds: 100) { degraded in forwarded.withLock { $0.append(degraded) } }
        for n in 0..<1000 { throttle.report(degraded: n % 2 == 0 ? "camera lost" : nil) }
        throttle.report(degraded: "last words")
        #expect(forwarded.withLock { $0 } == ["camera lost"], "the first change leaves at once, the rest wait")
        #expect(await eventually(timeout: .seconds(2)) { forwarded.withLock { $0.count } == 2 })
        #expect(forwarded.withLock { $0 } == ["camera lost", "last words"], "after the interval, the latest")
        try? await Task.sleep(for: .milliseconds(250))
        #expect(forwarded.withLock { $0.count } == 2, "nothing more is pending")
    }
}
