import Foundation
import ProctorHost
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
            #expect(await eventually { Processes.maps(plugin).contains(library) })
            let replacement = library + ".new"
            try FileManager.default.copyItem(atPath: zlib, toPath: replacement)
            #expect(rename(replacement, library) == 0)
            // The plugin processes are listed anew every fifth check.
            for _ in 0..<10 where !findings.all.contains(where: { $0["kind"] == "library_replaced" }) { watch.check() }
            let found = findings.all.filter { $0["kind"] == "library_replaced" }
            #expect(found.count == 1 && found.first?["pid"]?.intValue == Int(plugin) && found.first?["path"]?.stringValue == library,
                    "\(findings.all)")
        }

        /// The config file watched is the one the agent loads: the plugin's
        /// own lookup against ConfigLoader.locate, for an "agent" (a copy of
        /// sh named proctord in a prefix of its own) as each file appears.
        @Test func theConfigWatchedIsTheOneTheAgentLoads() async throws {
            let directory = TemporaryDirectory("proctord-system")
            let root = directory.realPath
            let shell = try PlacedProgram(copyOf: "/bin/sh", to: root + "/prefix/bin/proctord")
            func run(_ environment: [String: String], _ arguments: [String] = []) async throws -> Process {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: shell.path)
                process.arguments = ["-c", "read line"] + arguments
                process.environment = environment
                process.currentDirectoryURL = URL(fileURLWithPath: root)
                process.standardInput = Pipe()
                try process.run()
                // run() may return before the exec: its arguments and environment are there once "-c" is.
                let pid = process.processIdentifier
                #expect(await eventually { ProcFS.arguments(of: pid).dropFirst().first == "-c" })
                return process
            }
            func located(_ environment: [String: String]) -> [String] {
                let paths = AgentPaths.fromEnvironment(environment, executable: shell.path)
                return (try? ConfigLoader.locate(explicit: nil, paths: paths)).map { [$0.file] } ?? []
            }
            func create(_ path: String) throws {
                try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                #expect(FileManager.default.createFile(atPath: path, contents: Data("{}".utf8)))
            }

            let plain = ["HOME": root + "/home"]
            let agent = try await run(plain)
            defer { agent.end() }
            #expect(TamperWatch.findConfig(agent: agent.processIdentifier) == [])
            #expect(located(plain) == [])
            var seen: [[String]] = []
            for file in ["/prefix/share/proctord/plugins.json", "/prefix/etc/proctord/plugins.json", "/home/.config/proctord/plugins.json"] {
                try create(root + file)
                let found = TamperWatch.findConfig(agent: agent.processIdentifier)
                #expect(found == located(plain), "\(file)")
                #expect(found.first.map { URL(fileURLWithPath: $0).standardizedFileURL.path } == root + file)
                seen.append(found)
            }
            #expect(Set(seen).count == 3)

            // Both directories moved by the environment.
            let moved = ["HOME": root + "/home", "XDG_CONFIG_HOME": root + "/xdg", "PROCTORD_SYSTEM_CONFIG_DIR": root + "/system"]
            let other = try await run(moved)
            defer { other.end() }
            try create(root + "/system/plugins.json")
            #expect(TamperWatch.findConfig(agent: other.processIdentifier) == [root + "/system/plugins.json"])
            #expect(located(moved) == [root + "/system/plugins.json"])
            try create(root + "/xdg/proctord/plugins.json")
            #expect(TamperWatch.findConfig(agent: other.processIdentifier) == [root + "/xdg/proctord/plugins.json"])
            #expect(located(moved) == [root + "/xdg/proctord/plugins.json"])

            // --config, relative to the agent's directory, comes before all of them.
            let given = try await run(plain, ["--config", "given.json"])
            defer { given.end() }
            #expect(TamperWatch.findConfig(agent: given.processIdentifier) == [root + "/given.json"])
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
