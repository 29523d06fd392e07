import Foundation
import ProctorJSON
import ProctorTestSupport
import Testing
@testable import SystemWatch

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

        /// A plugin host seen by the watch before it has loaded its library
        /// (the plugin's start) still has that library checked once loaded.
        /// The "agent" is a bash whose child is a python named
        /// proctord-plugin-host that loads a copy of libz when told (a FIFO):
        /// the real host loads its library too soon after it starts for a test
        /// to look in between.
        @Test func aLibraryLoadedAfterThePluginHostWasFirstSeenIsChecked() async throws {
            let directory = TemporaryDirectory("proctord-system")
            let zlib = try #require(["/lib/x86_64-linux-gnu/libz.so.1", "/usr/lib/x86_64-linux-gnu/libz.so.1", "/lib/aarch64-linux-gnu/libz.so.1",
                                     "/usr/lib64/libz.so.1"].first { FileManager.default.fileExists(atPath: $0) }
                .map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().path }, "no libz to load")
            let python = try #require(["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) })
            let library = directory.realPath + "/libproctor-late.so"
            try FileManager.default.copyItem(atPath: zlib, toPath: library)
            let fifo = directory.path + "/go"
            #expect(mkfifo(fifo, 0o600) == 0)
            let code = "import ctypes, sys\nopen(sys.argv[3]).read()\nctypes.CDLL(sys.argv[2])\nopen(sys.argv[3]).read()\n"
            let agent = Process()
            agent.executableURL = URL(fileURLWithPath: "/bin/bash")
            agent.arguments = ["-c", "exec -a \"$0\" \"$1\" -c \"$2\" --library \"$3\" \"$4\" & wait",
                               directory.path + "/proctord-plugin-host", python, code, library, fifo]
            try agent.run()
            defer {
                for child in Processes.children(of: agent.processIdentifier) { kill(child, SIGKILL) }
                agent.end()
            }
            var host: Int32?
            #expect(await eventually {
                host = Processes.children(of: agent.processIdentifier).first { TamperWatch.isPluginHost(ProcFS.arguments(of: $0)) }
                return host != nil
            })
            let plugin = try #require(host)

            let findings = Findings()
            let watch = TamperWatch(agentPid: agent.processIdentifier, configFiles: [], emit: { findings.add($0, $1) })
            watch.check()
            #expect(watch.status["processes"]?.arrayValue?.contains { $0["pid"]?.intValue == Int(plugin) && $0["role"] == "plugin" } == true,
                    "\(watch.status)")
            // Now it loads the library, and the library is replaced on disk.
            try #require(FileHandle(forWritingAtPath: fifo)).close()
            #expect(await eventually { (try? String(contentsOfFile: "/proc/\(plugin)/maps", encoding: .utf8))?.contains(library) == true })
            let replacement = library + ".new"
            try FileManager.default.copyItem(atPath: zlib, toPath: replacement)
            #expect(rename(replacement, library) == 0)
            // The plugin processes are listed anew every fifth check.
            for _ in 0..<10 where !findings.all.contains(where: { $0["kind"] == "library_replaced" }) { watch.check() }
            let found = findings.all.filter { $0["kind"] == "library_replaced" }
            #expect(found.count == 1 && found.first?["pid"]?.intValue == Int(plugin) && found.first?["path"]?.stringValue == library,
                    "\(findings.all)")
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

/// The events a watch emitted, from any thread.
final class Findings: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [JSONValue] = []

    var all: [JSONValue] { lock.withLock { events } }

    func add(_ topic: String, _ data: JSONValue) {
        lock.withLock { events.append(data) }
    }
}
