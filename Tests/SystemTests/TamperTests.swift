import Foundation
import ProctorJSON
import ProctorTestSupport
import Testing

extension SystemIntegrationTests {
    /// Tampering with the agent: a tracer on a plugin, LD_PRELOAD for the
    /// agent, its config rewritten while it runs.
    @Suite struct TamperTests {
        @Test func aPluginUnderStraceIsReported() async throws {
            let scenario = try await SystemScenario.start(config: ["method": "scan", "programs": []], others: ["heartbeat"])
            guard await scenario.log.waitForState("heartbeat", { $0["state"] == "running" }) != nil else {
                Issue.record("heartbeat did not run")
                return
            }
            let heartbeat = try #require(scenario.pluginPid("heartbeat"))
            let mark = scenario.lastSeq
            let strace = Process()
            strace.executableURL = URL(fileURLWithPath: "/usr/bin/strace")
            strace.arguments = ["-p", "\(heartbeat)", "-o", "/dev/null"]
            strace.standardError = FileHandle.nullDevice
            try strace.run()
            let traced = try #require(await scenario.waitFor("system.tamper", after: mark) {
                $0["kind"] == "traced" && $0["active"] == true && $0["pid"]?.intValue == Int(heartbeat)
            }, "\(scenario.events("system.tamper", after: mark))")
            #expect(traced.data["process"] == "plugin" && traced.data["tracer_pid"]?.intValue == Int(strace.processIdentifier))
            #expect(traced.data["library"]?.stringValue?.hasSuffix("libproctor-heartbeat.so") == true)
            #expect(traced.data["tracer"] == "strace")
            strace.end()  // the kernel detaches the tracee when its tracer dies
            #expect(await scenario.waitFor("system.tamper", after: traced.event.seq) {
                $0["kind"] == "traced" && $0["active"] == false && $0["pid"]?.intValue == Int(heartbeat)
            } != nil)
            #expect(try scenario.schemaProblems() == [])
            await scenario.stop()
        }

        @Test func preloadForTheAgentAndAConfigRewrittenAreReported() async throws {
            let directory = TemporaryDirectory("proctord-system")
            let library = ["/lib/x86_64-linux-gnu/libm.so.6", "/usr/lib/x86_64-linux-gnu/libm.so.6", "/lib/aarch64-linux-gnu/libm.so.6",
                           "/usr/lib64/libm.so.6"].first { FileManager.default.fileExists(atPath: $0) }
            let preload = try #require(library, "no libm to preload")
            var builder = ConfigBuilder()
            builder.add(id: "system", library: "system", config: ["method": "scan", "programs": []])
            let file = builder.write(to: directory)
            let agent = try AgentProcess(
                arguments: ["run", "--config", file, "--state-dir", directory.path + "/state", "--print-events", "system.*"],
                environment: ["LD_PRELOAD": preload, "NOTIFY_SOCKET": nil, "WATCHDOG_USEC": nil])
            defer { agent.signal(SIGTERM) }
            let found = try #require(await agent.waitForEvent {
                $0["topic"] == "system.tamper" && $0["data"]?["kind"] == "environment" && $0["data"]?["variable"] == "LD_PRELOAD"
            }, "\(agent.events.filter { $0["topic"] == "system.tamper" })\n\(agent.log.suffix(20))")
            #expect(found["data"]?["value"]?.stringValue == preload)
            #expect(found["data"]?["process"] == "agent" && found["data"]?["pid"]?.intValue == Int(agent.pid))

            // The config the agent was started with, changed on disk while it runs.
            #expect(await agent.waitForEvent { $0["topic"] == "system.virtual_camera" } != nil)
            let handle = try #require(FileHandle(forWritingAtPath: file))
            handle.seekToEndOfFile()
            handle.write(Data("\n".utf8))
            try handle.close()
            let changed = try #require(await agent.waitForEvent {
                $0["topic"] == "system.tamper" && $0["data"]?["kind"] == "config_changed"
            }, "\(agent.events.filter { $0["topic"] == "system.tamper" })")
            #expect(changed["data"]?["path"]?.stringValue == file)
        }
    }
}
