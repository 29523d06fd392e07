import Foundation
import Logging
import ProctorHost
import ProctorJSON
import ProctorTestSupport
import Testing

/// The supervisor against real plugin children that crash, hang, flood and
/// lie, while a well-behaved plugin runs beside them.
@Suite(.serialized) struct SupervisorTests {
    let dir = TemporaryDirectory()

    func agent(_ build: (inout ConfigBuilder) -> Void) throws -> (Agent, EventLog) {
        var builder = ConfigBuilder()
        build(&builder)
        let config = try ConfigLoader.load(file: builder.write(to: dir))
        var paths = AgentPaths.fromEnvironment()
        paths.stateDirectory = dir.path + "/state"
        let agent = Agent(config: config, paths: paths, logger: .silent, executable: TestBuild.proctord)
        return (agent, EventLog(bus: agent.bus))
    }

    func ticks(in log: EventLog, after seq: UInt64) -> Int {
        log.all.filter { $0.topic == "heartbeat.tick" && $0.seq > seq }.count
    }

    @Test func aSegfaultIsRestartedWhileTheOtherPluginsKeepEmitting() async throws {
        let (agent, log) = try agent {
            $0.add(id: "heartbeat", library: "heartbeat", config: ["interval_ms": 50])
            $0.add(id: "chaos", library: "test-chaos", config: ["mode": "segfault", "after_ms": 300],
                   restart: ["initial_delay_ms": 300, "crash_loop_limit": 100])
        }
        try await agent.start()
        let crash = try #require(await log.waitForState("chaos") { $0["state"] == "crashed" })
        #expect(crash.1["reason"] == "killed by signal 11 (SIGSEGV)")
        #expect(crash.1["retry_in_ms"] == 300)
        let back = try #require(await log.waitForState("chaos", after: crash.0.seq) { $0["state"] == "running" })
        #expect(back.1["restarts"] == 1)
        #expect(await eventually { ticks(in: log, after: crash.0.seq) >= 5 }, "heartbeat kept ticking through the crash")
        #expect(log.states(of: "heartbeat").map { $0["state"] } == ["starting", "running"])
        // The heartbeat's own count never restarted: its process was untouched.
        let counts = log.all.filter { $0.topic == "heartbeat.tick" }.compactMap { try? JSONParser.parse($0.data)["n"]?.intValue }
        #expect(counts == Array(1...counts.count))
        await agent.stopAll()
    }

    @Test func aCrashLoopIsHeldBackWithGrowingDelays() async throws {
        let (agent, log) = try agent {
            $0.add(id: "chaos", library: "test-chaos", config: ["mode": "abort"],
                   restart: ["initial_delay_ms": 50, "max_delay_ms": 1000, "crash_loop_limit": 3,
                             "crash_loop_window_s": 60, "crash_loop_hold_s": 2])
        }
        try await agent.start()
        let held = try #require(await log.waitForState("chaos") { $0["state"] == "held" })
        let crashes = log.states(of: "chaos").filter { ["crashed", "held"].contains($0["state"]?.stringValue) }
        #expect(crashes.map { $0["retry_in_ms"] } == [50, 100, 2000])
        #expect(crashes.allSatisfy { $0["reason"]?.stringValue?.contains("SIGABRT") == true })
        #expect(held.1["reason"]?.stringValue?.hasPrefix("crash loop (3 crashes within 60 s)") == true)
        // Nothing starts during the hold; afterwards the plugin is tried again.
        let retried = try #require(await log.waitForState("chaos", after: held.0.seq) { $0["state"] == "starting" })
        let waited = retried.0.timestamp.millisecondsSinceEpoch - held.0.timestamp.millisecondsSinceEpoch
        #expect(waited >= 1900, "held back for \(waited) ms")
        #expect(retried.1["restarts"] == 3)
        await agent.stopAll()
    }

    @Test func aHungPluginIsKilledAndItsRequestFails() async throws {
        let (agent, log) = try agent {
            $0.add(id: "chaos", library: "test-chaos", hangTimeoutMs: 500)
        }
        try await agent.start()
        _ = try #require(await log.waitForState("chaos") { $0["state"] == "running" })
        let supervisor = try #require(await agent.supervisor("chaos"))
        let started = ContinuousClock.now
        await #expect { try await supervisor.request(#"{"method":"hang"}"#) } throws: {
            "\($0)".contains("exited before answering")
        }
        #expect(ContinuousClock.now - started < .seconds(5))
        let crash = try #require(await log.waitForState("chaos") { $0["state"] == "crashed" })
        #expect(crash.1["reason"]?.stringValue?.hasPrefix("hung: no answer to pings for") == true)
        _ = try #require(await log.waitForState("chaos", after: crash.0.seq) { $0["state"] == "running" })
        await agent.stopAll()
    }

    /// Its start is a call like a request: the pings go out while it runs.
    @Test func aPluginHungInItsStartIsKilled() async throws {
        let (agent, log) = try agent {
            $0.add(id: "chaos", library: "test-chaos", config: ["mode": "hang_start"], hangTimeoutMs: 500)
        }
        try await agent.start()
        let crash = try #require(await log.waitForState("chaos") { $0["state"] == "crashed" })
        #expect(crash.1["reason"]?.stringValue?.hasPrefix("hung: no answer to pings for") == true)
        await agent.stopAll()
    }

    @Test func garbageOnTheChannelKillsTheChildNotTheAgent() async throws {
        let (agent, log) = try agent {
            $0.add(id: "heartbeat", library: "heartbeat", config: ["interval_ms": 50])
            $0.add(id: "chaos", library: "test-chaos")
        }
        try await agent.start()
        _ = try #require(await log.waitForState("chaos") { $0["state"] == "running" })
        let supervisor = try #require(await agent.supervisor("chaos"))
        _ = try? await supervisor.request(#"{"method":"garbage"}"#)
        let crash = try #require(await log.waitForState("chaos") { $0["state"] == "crashed" })
        #expect(crash.1["reason"]?.stringValue?.hasPrefix("protocol violation: frame of 2147483647 bytes exceeds") == true)
        #expect(await eventually { ticks(in: log, after: crash.0.seq) >= 3 })
        await agent.stopAll()
    }

    /// What a plugin forks keeps the channel open after the plugin dies, so
    /// the end of the channel cannot be what tells the agent.
    @Test func aPluginThatForksThenCrashesIsSeenRestartedAndLeavesNothing() async throws {
        let (agent, log) = try agent {
            $0.add(id: "chaos", library: "test-chaos", config: ["mode": "fork_then_segfault", "after_ms": 100],
                   restart: ["initial_delay_ms": 5000])
        }
        try await agent.start()
        let forked = try #require(await log.waitFor { $0.topic == "chaos.forked" })
        let forkedPID = try #require(try JSONParser.parse(forked.data)["pid"]?.intValue.map(Int32.init))
        let crash = try #require(await log.waitForState("chaos", timeout: .seconds(10)) { $0["state"] == "crashed" })
        #expect(crash.1["reason"] == "killed by signal 11 (SIGSEGV)")
        #expect(await eventually(timeout: .seconds(3)) { !Processes.isAlive(forkedPID) }, "the forked process went with its plugin")
        let started = ContinuousClock.now
        await agent.stopAll()
        #expect(ContinuousClock.now - started < .seconds(5), "stopping does not wait on the forked process")
    }

    /// A child's stdin is /dev/null, whatever the agent's is (a terminal under `make run`),
    /// and its stdout and stderr are the agent's pipe, not the agent's own.
    @Test func aChildReadsNothingFromTheAgentsStdin() async throws {
        // The agent's stdin is a pipe here (the runner's may already be /dev/null), so only a
        // child given /dev/null of its own passes.
        var ends: [Int32] = [-1, -1]
        try #require(pipe(&ends) == 0)
        let saved = dup(0)
        dup2(ends[0], 0)
        defer { dup2(saved, 0); close(saved); close(ends[0]); close(ends[1]) }
        let (agent, log) = try agent {
            $0.add(id: "chaos", library: "test-chaos")
        }
        try await agent.start()
        _ = try #require(await log.waitForState("chaos") { $0["state"] == "running" })
        let child = try #require(Processes.descendants(of: getpid()).first { Processes.commandLine($0).contains("plugin-host") })
        func target(_ fd: Int) -> String? { try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(child)/fd/\(fd)") }
        #expect(target(0) == "/dev/null", "stdin: \(target(0) ?? "none")")
        #expect(target(1)?.hasPrefix("pipe:") == true && target(1) == target(2), "stdout and stderr: \(target(1) ?? "none"), \(target(2) ?? "none")")
        await agent.stopAll()
    }

    @Test func aPluginFlappingItsHealthIsThrottledNotFlooding() async throws {
        let (agent, log) = try agent {
            $0.add(id: "chaos", library: "test-chaos", config: ["mode": "flap"])
        }
        try await agent.start()
        let running = try #require(await log.waitForState("chaos") { $0["state"] == "running" })
        // Thousands of changes a second come through as at most one per 200 ms: eight of them span
        // at least 7 x 200 ms (less 400 ms for when the first and last were published on a busy machine).
        func states() -> [Event] { log.all.filter { $0.topic == "plugin.state" && $0.seq > running.0.seq } }
        #expect(await eventually(timeout: .seconds(30)) { states().count >= 8 }, "the flapping comes through: \(states().count)")
        let eight = states().prefix(8)
        if let first = eight.first, let last = eight.last, eight.count == 8 {
            let span = last.timestamp.millisecondsSinceEpoch - first.timestamp.millisecondsSinceEpoch
            #expect(span >= 1000, "8 plugin.state events within \(span) ms")
        }
        let started = ContinuousClock.now
        await agent.stopAll()
        #expect(ContinuousClock.now - started < .seconds(3))
    }

    @Test func anAnswerTooBigForTheChannelIsAnErrorNotACrash() async throws {
        let (agent, log) = try agent {
            $0.add(id: "chaos", library: "test-chaos")
        }
        try await agent.start()
        _ = try #require(await log.waitForState("chaos") { $0["state"] == "running" })
        let supervisor = try #require(await agent.supervisor("chaos"))
        let answer = try JSONParser.parse(await supervisor.request(#"{"method":"big_answer"}"#))
        #expect(answer["error"]?["code"] == "response_too_large")
        let stats = try JSONParser.parse(await supervisor.request(#"{"method":"stats"}"#))
        #expect(stats["result"]?["emitted"] == 0, "the same child still answers")
        #expect(!log.states(of: "chaos").contains { $0["state"] == "crashed" })
        await agent.stopAll()
    }

    @Test func aFailedStartIsRetriedWithItsReason() async throws {
        let (agent, log) = try agent {
            $0.add(id: "chaos", library: "test-chaos", config: ["mode": "fail_start"], restart: ["initial_delay_ms": 100])
        }
        try await agent.start()
        let crash = try #require(await log.waitForState("chaos") { $0["state"] == "crashed" })
        #expect(crash.1["reason"] == "start failed: chaos was told to fail its start")
        #expect(await log.waitForState("chaos", after: crash.0.seq) { $0["state"] == "starting" } != nil)
        await agent.stopAll()
    }

    @Test func requestsReachThePluginAndStopAllLeavesNoChild() async throws {
        let (agent, log) = try agent {
            $0.add(id: "heartbeat", library: "heartbeat", config: ["interval_ms": 30])
        }
        try await agent.start()
        _ = try #require(await log.waitForState("heartbeat") { $0["state"] == "running" })
        _ = await log.waitFor { $0.topic == "heartbeat.tick" }
        let supervisor = try #require(await agent.supervisor("heartbeat"))
        let pid = try #require(await supervisor.pid)
        let answer = try JSONParser.parse(await supervisor.request(#"{"method":"ping"}"#))
        #expect(answer["result"]?["pong"] == true)
        #expect((answer["result"]?["ticks"]?.intValue ?? 0) >= 1)
        await agent.stopAll()
        #expect(!Processes.isAlive(pid))
        // The log reads the bus on a task of its own: the last state may still be on its way.
        #expect(await eventually { log.states(of: "heartbeat").last?["state"] == "stopped" })
    }

    @Test func aMissingLibraryIsSkippedAndReportedWhileTheRestRuns() async throws {
        let (agent, log) = try agent {
            $0.add(id: "heartbeat", library: "heartbeat", config: ["interval_ms": 50])
            $0.add(id: "gone", library: "does-not-exist")
            $0.add(id: "future", library: "test-abi-v2")
        }
        try await agent.start()
        let gone = try #require(await log.waitForState("gone") { $0["state"] == "failed" })
        #expect(gone.1["reason"]?.stringValue?.hasSuffix("libproctor-does-not-exist.so: no such plugin library (build it, or fix \"library\" / \"plugin_dir\" in the config)") == true)
        let future = try #require(await log.waitForState("future") { $0["state"] == "failed" })
        #expect(future.1["reason"]?.stringValue?.contains("ABI major mismatch") == true)
        #expect(await log.waitFor { $0.topic == "heartbeat.tick" } != nil)
        await agent.stopAll()
    }

    @Test func aBadPluginConfigStopsTheAgentBeforeAnythingStarts() async throws {
        let (agent, log) = try agent {
            $0.add(id: "heartbeat", library: "heartbeat", config: ["interval_ms": 1])
            $0.add(id: "sysinfo", library: "sysinfo", config: ["interval_s": "often"])
        }
        await #expect {
            try await agent.start()
        } throws: { error in
            let messages = (error as? ConfigErrors)?.errors.map(\.description) ?? []
            return messages.count == 2
                && messages[0].hasSuffix("$.plugins[0].config.interval_ms: 1 is less than the minimum 10")
                && messages[1].hasSuffix(#"$.plugins[1].config.interval_s: expected number, got string "often""#)
        }
        #expect(await agent.supervisors.isEmpty)
        try? await Task.sleep(for: .milliseconds(100))
        #expect(log.all.isEmpty, "nothing started, so nothing was published")
    }
}
