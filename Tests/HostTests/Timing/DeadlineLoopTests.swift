import ProctorHost
import ProctorTestSupport
import Synchronization
import Testing

/// The loop behind the API's housekeeping sleeps until the deadline its pass
/// names; these tests wait on what the passes saw, never on how often they ran.
@Suite struct DeadlineLoopTests {
    @Sendable static func now() -> Double { Double(Timestamp.now().millisecondsSinceEpoch) / 1000 }

    /// A loop whose passes all say they are next due in `seconds`, running
    /// until released: it counts its passes.
    final class Passes: Sendable {
        final class Counter: Sendable { let value = Atomic<Int>(0) }

        let loop: DeadlineLoop
        private let counter: Counter
        private let running: Task<Void, Never>

        init(dueIn seconds: Double, longestSleep: Double = 60) {
            let loop = DeadlineLoop(longestSleep: longestSleep, clock: DeadlineLoopTests.now)
            let counter = Counter()
            self.counter = counter
            self.loop = loop
            running = Task {
                await loop.run {
                    counter.value.add(1, ordering: .relaxed)
                    return DeadlineLoopTests.now() + seconds
                }
            }
        }

        var ran: Int { counter.value.load(ordering: .relaxed) }

        deinit { running.cancel() }
    }

    @Test func runsAgainWhenItsDeadlineComes() async {
        let passes = Passes(dueIn: 0.2)
        #expect(await eventually { passes.ran >= 2 }, "the pass due in 0.2 s ran")
    }

    @Test func aWakeRunsAPassBeforeAFarDeadline() async {
        let passes = Passes(dueIn: 3600)
        #expect(await eventually { passes.ran == 1 })
        passes.loop.wake()
        #expect(await eventually { passes.ran == 2 }, "woken, not left until the hour is up")
    }

    /// A wall clock that steps (or a machine that slept) is seen within it.
    @Test func aSleepIsCutAtTheLongestSleep() async {
        let passes = Passes(dueIn: 3600, longestSleep: 0.2)
        #expect(await eventually { passes.ran >= 2 })
    }

    @Test func cancellingEndsTheLoopWhileItSleeps() async {
        let loop = DeadlineLoop(clock: Self.now)
        let ran = Mutex(0)
        let running = Task { await loop.run { ran.withLock { $0 += 1 }; return nil } }
        // One pass ran, so the loop is asleep (with no deadline) when the cancel comes.
        #expect(await eventually { ran.withLock { $0 } == 1 })
        running.cancel()
        await running.value
        #expect(ran.withLock { $0 } == 1, "cancelled while asleep: no further pass")
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
