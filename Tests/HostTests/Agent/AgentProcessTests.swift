import Foundation
import ProctorJSON
import ProctorTestSupport
import Testing

/// `proctord` as a person and systemd run it: a real process with real
/// children, stopped by signals.
@Suite(.serialized) struct AgentProcessTests {
    let dir = TemporaryDirectory()

    func run(_ build: (inout ConfigBuilder) -> Void, printing patterns: [String] = ["plugin.state"],
             environment: [String: String?] = [:]) throws -> AgentProcess {
        var builder = ConfigBuilder()
        build(&builder)
        let config = builder.write(to: dir)
        return try AgentProcess(
            arguments: ["run", "--config", config, "--state-dir", dir.path + "/state"]
                + patterns.flatMap { ["--print-events", $0] },
            environment: environment)
    }

    func state(_ plugin: String, _ name: String) -> (JSONValue) -> Bool {
        { $0["topic"] == "plugin.state" && $0["data"]?["plugin"]?.stringValue == plugin && $0["data"]?["state"]?.stringValue == name }
    }

    @Test func sigtermStopsEveryChildEvenOneStuckInStop() async throws {
        let agent = try run {
            $0.add(id: "heartbeat", library: "heartbeat", config: ["interval_ms": 100])
            $0.add(id: "sysinfo", library: "sysinfo")
            // Its worker thread never returns, so its stop never finishes: it must be killed.
            $0.add(id: "stuck", library: "test-chaos", config: ["mode": "hang"])
        }
        for id in ["heartbeat", "sysinfo", "stuck"] {
            #expect(await agent.waitForEvent(state(id, "running")) != nil, "\(id) running")
        }
        let children = Processes.children(of: agent.pid)
        #expect(children.count == 3)
        #expect(children.allSatisfy { Processes.commandLine($0).contains("/proctord-plugin-host") })
        agent.signal(SIGTERM)
        #expect(await agent.waitForExit(timeout: .seconds(10)) == 0)
        for child in children {
            #expect(await eventually(timeout: .seconds(2)) { !Processes.isAlive(child) }, "child \(child) outlived the agent")
        }
        #expect(agent.log.contains { $0.contains("plugin stuck: stopped") })
        #expect(agent.events.contains(where: state("heartbeat", "stopped")))
    }

    @Test func sigtermClosesEveryPageWith1001() async throws {
        let agent = try run { $0.add(id: "heartbeat", library: "heartbeat", config: ["interval_ms": 100]) }
        let port = try #require(await agent.apiPort())
        let origin = "http://127.0.0.1:\(port)"
        let code = try #require(await eventually { agent.pairingCode != nil } ? agent.pairingCode : nil)
        let (paired, _) = try await Pairing.pair(port: port, code: code, origin: origin, topics: ["heartbeat.tick"])
        let (waiting, _) = try await Pairing.connect(port: port, origin: origin)
        agent.signal(SIGTERM)
        // A page can tell a restart from a crash: both hear 1001 before the socket goes.
        #expect(try await paired.receiveClose(timeout: 20) == (1001, "the agent is shutting down"))
        #expect(try await waiting.receiveClose(timeout: 20) == (1001, "the agent is shutting down"))
        try await paired.sendClose(code: 1001)
        try await waiting.sendClose(code: 1001)
        #expect(await agent.waitForExit(timeout: .seconds(10)) == 0)
    }

    @Test(.enabled(if: getuid() == 0, "needs root to make a directory another user owns"))
    func withoutARuntimeDirectoryNoOtherUserCanTakeTheAgentsPlace() async throws {
        // The old fallback, a fixed name in /tmp, taken first by another user.
        let squatted = "/tmp/proctord-\(getuid())"
        let existed = FileManager.default.fileExists(atPath: squatted)
        if !existed { mkdir(squatted, 0o777) }
        chown(squatted, 65534, 65534)
        defer { if !existed { rmdir(squatted) } else { chown(squatted, getuid(), getgid()) } }
        let stateHome = dir.path + "/state-home"
        let environment: [String: String?] = ["XDG_RUNTIME_DIR": nil, "XDG_STATE_HOME": stateHome]
        let agent = try run({ $0.add(id: "heartbeat", library: "heartbeat", config: ["interval_ms": 100]) }, environment: environment)
        #expect(await agent.apiPort() != nil, "the agent did not start: \(agent.log.suffix(5))")
        let runtime = stateHome + "/proctord/run"
        #expect(await eventually { FileManager.default.fileExists(atPath: runtime + "/control.sock") })
        var info = stat()
        #expect(stat(runtime, &info) == 0 && info.st_uid == getuid() && info.st_mode & 0o777 == 0o700)
        // The command line finds the agent there too.
        let code = try await Shell.run(TestBuild.proctord, ["pairing-code", "--json"],
                                       environment: ["XDG_STATE_HOME": stateHome, "XDG_RUNTIME_DIR": ""])
        #expect(try JSONParser.parse(code)["code"]?.stringValue?.count == 6, "\(code)")
        agent.signal(SIGTERM)
        #expect(await agent.waitForExit(timeout: .seconds(10)) == 0)
    }

    @Test func sigkillOfTheAgentTakesItsChildrenWithIt() async throws {
        let agent = try run { $0.add(id: "stuck", library: "test-chaos", config: ["mode": "hang"]) }
        #expect(await agent.waitForEvent(state("stuck", "running")) != nil)
        let children = Processes.children(of: agent.pid)
        #expect(children.count == 1)
        agent.signal(SIGKILL)
        _ = await agent.waitForExit()
        for child in children {
            #expect(await eventually(timeout: .seconds(3)) { !Processes.isAlive(child) }, "orphan \(child) left behind")
        }
    }

    @Test func aFloodingPluginDoesNotGrowTheAgentsMemory() async throws {
        let agent = try run({
            $0.add(id: "heartbeat", library: "heartbeat", config: ["interval_ms": 250])
            $0.add(id: "flood", library: "test-chaos", config: ["mode": "flood", "payload_bytes": 200])
        }, printing: ["plugin.state", "heartbeat.tick", "bus.dropped"])
        #expect(await agent.waitForEvent(state("flood", "running")) != nil)
        try await Task.sleep(for: .seconds(2))  // warm up: the replay ring fills
        let before = try #require(Processes.residentKiB(agent.pid))
        try await Task.sleep(for: .seconds(6))
        let after = try #require(Processes.residentKiB(agent.pid))
        let ticks = agent.events.filter { $0["topic"] == "heartbeat.tick" }.compactMap { $0["seq"]?.intValue }
        #expect(ticks.count >= 20, "the heartbeat kept ticking beside the flood")
        // Tens of thousands of flood events passed between two ticks a quarter second apart.
        let throughput = zip(ticks, ticks.dropFirst()).map { $1 - $0 }.max() ?? 0
        #expect(throughput > 5000, "events between ticks: \(throughput)")
        #expect(after - before < 16 * 1024, "RSS grew from \(before) KiB to \(after) KiB")
        #expect(agent.events.contains { $0["topic"] == "plugin.state" && $0["data"]?["plugin"] == "flood" && $0["data"]?["state"] == "crashed" } == false)
        agent.signal(SIGTERM)
        #expect(await agent.waitForExit() == 0)
    }

    @Test func withoutADisplayItSaysWhatCannotWorkAndRunsTheRest() async throws {
        let agent = try run({
            $0.add(id: "heartbeat", library: "heartbeat", config: ["interval_ms": 100])
            $0.add(id: "gaze", library: "not-built-here")
        }, printing: ["plugin.state", "heartbeat.tick"], environment: ["DISPLAY": nil, "WAYLAND_DISPLAY": nil])
        #expect(await agent.waitForLog(containing: "plugin gaze skipped:"))
        #expect(agent.log.contains { $0.contains("libproctor-not-built-here.so: no such plugin library") })
        #expect(await agent.waitForEvent { $0["topic"] == "heartbeat.tick" } != nil)
        agent.signal(SIGINT)
        #expect(await agent.waitForExit() == 0)
    }

    @Test func aBrokenConfigExitsWithEXConfigNamingFileAndPath() async throws {
        let file = dir.write("bad.json", #"{"plugins":[{"id":"heartbeat","library":"\#(TestBuild.plugin("heartbeat"))","config":{"interval_ms":"soon"}}]}"#)
        let check = try AgentProcess(arguments: ["check-config", file])
        #expect(await check.waitForExit() == 78)
        #expect(check.log == [#"\#(file): $.plugins[0].config.interval_ms: expected integer, got string "soon""#])

        let run = try AgentProcess(arguments: ["run", "--config", file, "--state-dir", dir.path + "/state"])
        #expect(await run.waitForExit() == 78)
        #expect(run.log.contains { $0.hasPrefix(file + ": $.plugins[0].config.interval_ms") })

        let syntax = dir.write("syntax.json", "{\"plugins\": [}")
        let broken = try AgentProcess(arguments: ["check-config", syntax])
        #expect(await broken.waitForExit() == 78)
        #expect(broken.log == ["\(syntax):1:14: unexpected character '}', expected a value"])
    }

    @Test func pluginsListsWhatLoadsAndWhyNot() async throws {
        var builder = ConfigBuilder()
        builder.add(id: "heartbeat", library: "heartbeat")
        builder.add(id: "old", library: "test-abi-v2")
        let list = try AgentProcess(arguments: ["plugins", "--json", "--config", builder.write(to: dir)])
        #expect(await list.waitForExit() == 0)
        let reports = try #require(list.events.first?.arrayValue)
        #expect(reports.map { $0["loads"] } == [true, false])
        #expect(reports[0]["abi"] == "1.0" && reports[0]["topics"] == ["heartbeat.tick"])
        #expect(reports[1]["error"]?.stringValue?.contains("built for ABI 2.x, this proctord speaks ABI 1.x") == true)
    }

    @Test func replayRefusesAPluginWithoutAFileSource() async throws {
        var builder = ConfigBuilder()
        builder.add(id: "heartbeat", library: "heartbeat")
        let source = dir.write("input.txt", "x")
        let replay = try AgentProcess(arguments: ["replay", "heartbeat", "--source", source, "--config", builder.write(to: dir)])
        #expect(await replay.waitForExit() == 64)
        #expect(replay.log.last == "plugin heartbeat watches live sources only and cannot replay a file (capabilities: requests)")
    }
}
