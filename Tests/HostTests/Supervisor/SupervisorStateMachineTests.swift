import ProctorHost
import Testing

/// Walks every edge of the supervisor's state machine with explicit times.
@Suite struct SupervisorStateMachineTests {
    var policy: RestartPolicy {
        var p = RestartPolicy()
        p.initialDelayMilliseconds = 100
        p.maximumDelayMilliseconds = 1000
        p.crashLoopLimit = 4
        p.crashLoopWindowSeconds = 60
        p.crashLoopHoldSeconds = 300
        return p
    }

    @Test func launchStartAndDegrade() {
        var m = SupervisorStateMachine(policy: policy)
        #expect(m.handle(.launch, now: 0) == [.spawn, .publish])
        #expect(m.state == .starting(attempt: 1))
        #expect(m.handle(.health(degraded: "no camera"), now: 0).isEmpty, "health while starting waits for started")
        #expect(m.handle(.started, now: 0) == [.publish])
        #expect(m.state == .running(degraded: "no camera"), "and is applied then")
        #expect(m.handle(.health(degraded: nil), now: 0) == [.publish])
        #expect(m.handle(.health(degraded: "no camera"), now: 1) == [.publish])
        #expect(m.handle(.health(degraded: "no camera"), now: 2).isEmpty, "repeats are not republished")
        #expect(m.handle(.health(degraded: nil), now: 3) == [.publish])
        #expect(m.state == .running(degraded: nil))
    }

    @Test func healthFromAStartThatCrashedIsForgottenOnRestart() {
        var m = SupervisorStateMachine(policy: policy)
        _ = m.handle(.launch, now: 0)
        _ = m.handle(.health(degraded: "no X display"), now: 0)
        _ = m.handle(.exited(reason: "killed by signal 9 (SIGKILL)"), now: 1)
        _ = m.handle(.restartDue, now: 2)
        #expect(m.handle(.started, now: 2) == [.publish])
        #expect(m.state == .running(degraded: nil), "the new child said nothing yet")
    }

    @Test func backoffDoublesUpToTheMaximum() {
        var m = SupervisorStateMachine(policy: policy)
        var p = policy
        p.crashLoopLimit = 100
        m = SupervisorStateMachine(policy: p)
        _ = m.handle(.launch, now: 0)
        var delays: [Duration] = []
        for i in 0..<6 {
            let actions = m.handle(.exited(reason: "killed by signal 11 (SIGSEGV)"), now: Double(i))
            guard case .scheduleRestart(let delay)? = actions.first else {
                Issue.record("no restart scheduled: \(actions)")
                return
            }
            delays.append(delay)
            #expect(m.handle(.restartDue, now: Double(i)) == [.spawn, .publish])
        }
        #expect(delays == [100, 200, 400, 800, 1000, 1000].map { .milliseconds($0) })
        #expect(m.restarts == 6)
    }

    @Test func aCrashLoopIsHeldBackAndThenRetried() {
        var m = SupervisorStateMachine(policy: policy)
        _ = m.handle(.launch, now: 0)
        for i in 0..<3 {
            _ = m.handle(.exited(reason: "crash"), now: Double(i))
            _ = m.handle(.restartDue, now: Double(i))
        }
        #expect(m.handle(.exited(reason: "crash 4"), now: 3) == [.scheduleRestart(after: .seconds(300)), .publish])
        #expect(m.state == .waiting(reason: "crash 4", delay: .seconds(300), crashLoop: true))
        #expect(m.handle(.restartDue, now: 303) == [.spawn, .publish])
        #expect(m.handle(.exited(reason: "again"), now: 304) == [.scheduleRestart(after: .milliseconds(100)), .publish],
                "after the hold, counting starts afresh")
    }

    @Test func crashesOutsideTheWindowAreForgotten() {
        var m = SupervisorStateMachine(policy: policy)
        _ = m.handle(.launch, now: 0)
        for t in [0.0, 100, 200, 300, 400] {
            let actions = m.handle(.exited(reason: "rare crash"), now: t)
            #expect(actions.first == .scheduleRestart(after: .milliseconds(100)), "at \(t)")
            _ = m.handle(.restartDue, now: t)
        }
    }

    @Test func stoppingFromEveryState() {
        var running = SupervisorStateMachine(policy: policy)
        _ = running.handle(.launch, now: 0)
        _ = running.handle(.started, now: 0)
        #expect(running.handle(.stopRequested, now: 1) == [.stopChild, .publish])
        #expect(running.state == .stopping)
        #expect(running.handle(.health(degraded: "late"), now: 1).isEmpty)
        #expect(running.handle(.exited(reason: "exited with status 0"), now: 2) == [.publish])
        #expect(running.state == .stopped)
        #expect(running.handle(.restartDue, now: 3).isEmpty, "a stopped plugin stays stopped")

        var starting = SupervisorStateMachine(policy: policy)
        _ = starting.handle(.launch, now: 0)
        #expect(starting.handle(.stopRequested, now: 0) == [.stopChild, .publish])

        var waiting = SupervisorStateMachine(policy: policy)
        _ = waiting.handle(.launch, now: 0)
        _ = waiting.handle(.exited(reason: "crash"), now: 0)
        #expect(waiting.handle(.stopRequested, now: 0) == [.cancelRestart, .publish])
        #expect(waiting.state == .stopped)

        var idle = SupervisorStateMachine(policy: policy)
        #expect(idle.handle(.stopRequested, now: 0) == [.cancelRestart, .publish])
    }

    @Test func aPluginThatDiesWhileStartingIsACrash() {
        var m = SupervisorStateMachine(policy: policy)
        _ = m.handle(.launch, now: 0)
        #expect(m.handle(.exited(reason: "start failed: no display"), now: 0).first == .scheduleRestart(after: .milliseconds(100)))
        #expect(PluginState(plugin: "x", name: .crashed).name == .crashed)
    }
}
