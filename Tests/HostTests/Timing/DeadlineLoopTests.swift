import ProctorHost
import ProctorTestSupport
import Synchronization
import Testing

/// The loop behind the API's housekeeping sleeps until the deadline its pass
/// names; these tests wait on what the passes saw, never on how often they ran.
@Suite struct DeadlineLoopTests {
    @Sendable static func now() -> Double { Double(Timestamp.now().millisecondsSinceEpoch) / 1000 }

    /// Passes run so far, and the deadline the next one returns.
    final class Passes: Sendable {
        let count = Atomic<Int>(0)
        let next = Mutex<Double?>(nil)

        func pass() -> Double? {
            count.add(1, ordering: .relaxed)
            return next.withLock { $0 }
        }
    }

    @Test func runsAgainWhenItsDeadlineComes() async {
        let passes = Passes()
        let loop = DeadlineLoop(clock: Self.now)
        passes.next.withLock { $0 = Self.now() + 0.2 }
        let running = Task { await loop.run { passes.pass() } }
        defer { running.cancel() }
        #expect(await eventually { passes.count.load(ordering: .relaxed) >= 2 }, "the pass due in 0.2 s ran")
    }

    @Test func aWakeRunsAPassBeforeAFarDeadline() async {
        let passes = Passes()
        let loop = DeadlineLoop(clock: Self.now)
        passes.next.withLock { $0 = Self.now() + 3600 }
        let running = Task { await loop.run { passes.pass() } }
        defer { running.cancel() }
        #expect(await eventually { passes.count.load(ordering: .relaxed) == 1 })
        loop.wake()
        #expect(await eventually { passes.count.load(ordering: .relaxed) == 2 }, "woken, not left until the hour is up")
    }

    /// A wall clock that steps (or a machine that slept) is seen within it.
    @Test func aSleepIsCutAtTheLongestSleep() async {
        let passes = Passes()
        let loop = DeadlineLoop(longestSleep: 0.2, clock: Self.now)
        passes.next.withLock { $0 = Self.now() + 3600 }
        let running = Task { await loop.run { passes.pass() } }
        defer { running.cancel() }
        #expect(await eventually { passes.count.load(ordering: .relaxed) >= 2 })
    }

    @Test func cancellingEndsTheLoopWhileItSleeps() async {
        let loop = DeadlineLoop(clock: Self.now)
        let running = Task { await loop.run { nil } }
        running.cancel()
        await running.value
    }

    @Test func aRingWhileNobodyWaitsIsKeptForTheNextWait() async {
        let alarm = Alarm()
        alarm.ring()
        await alarm.wait()  // would never return if the ring were lost
        let waited = Task { await alarm.wait(timeout: .seconds(3600)) }
        alarm.ring()
        await waited.value
    }
}
