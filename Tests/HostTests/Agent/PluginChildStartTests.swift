import Foundation
import ProctorJSON
import ProctorTestSupport
import Testing

@testable import ProctorHost

/// How the agent starts its plugin children (issue 18): each library is
/// loaded once, in the child that runs it, whose hello is the load probe;
/// and a library without the Swift runtime runs in `proctord-plugin-host-c`.
@Suite(.serialized) struct PluginChildStartTests {
    let dir = TemporaryDirectory()

    func agent(_ build: (inout ConfigBuilder) -> Void, loadLog: String) throws -> AgentProcess {
        var builder = ConfigBuilder()
        build(&builder)
        return try AgentProcess(
            arguments: ["run", "--config", builder.write(to: dir), "--state-dir", dir.path + "/state", "--print-events", "plugin.state"],
            environment: ["PROCTORD_TEST_LOAD_LOG": loadLog])
    }

    func running(_ plugin: String) -> (JSONValue) -> Bool {
        { $0["topic"] == "plugin.state" && $0["data"]?["plugin"]?.stringValue == plugin && $0["data"]?["state"] == "running" }
    }

    /// The pids that loaded the chaos library (it notes each load, see chaos.c).
    func loads(_ log: String) -> [Int32] {
        ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").compactMap { Int32($0) }
    }

    @Test func eachLibraryIsLoadedOnceInTheChildThatRunsIt() async throws {
        let log = dir.path + "/loads"
        let agent = try agent({
            $0.add(id: "chaos", library: "test-chaos")
            $0.add(id: "heartbeat", library: "heartbeat", config: ["interval_ms": 100])
        }, loadLog: log)
        for id in ["chaos", "heartbeat"] {
            #expect(await agent.waitForEvent(running(id)) != nil, "\(id) running")
        }
        let children = Processes.children(of: agent.pid)
        let chaos = try #require(children.first { Processes.commandLine($0).contains("libproctor-test-chaos.so") })
        #expect(loads(log) == [chaos], "loaded by \(loads(log)), run by \(chaos)")

        // The Swift-free C library runs in the C host, without the Swift runtime;
        // chaos links the runtime (as SwiftPM links it) and keeps the Swift host.
        let heartbeat = try #require(children.first { Processes.commandLine($0).contains("libproctor-heartbeat.so") })
        #expect(Processes.commandLine(heartbeat).contains("/proctord-plugin-host-c"))
        #expect(Processes.maps(heartbeat).contains("[vdso]") && !Processes.maps(heartbeat).contains("libswiftCore"),
                "the heartbeat child maps the Swift runtime, or its maps were not read")
        #expect(Processes.commandLine(chaos).contains("/proctord-plugin-host") && !Processes.commandLine(chaos).contains("/proctord-plugin-host-c"))
        #expect(Processes.maps(chaos).contains("libswiftCore"))
        agent.signal(SIGTERM)
        let status = await agent.waitForExit()
        #expect(status == 0, "exit \(String(describing: status)):\n\(agent.log.suffix(15).joined(separator: "\n"))")
    }

    @Test func aRefusedConfigKillsTheChildrenAlreadyStarted() async throws {
        let log = dir.path + "/loads"
        let agent = try agent({
            $0.add(id: "chaos", library: "test-chaos", config: ["mode": "no-such-mode"])
        }, loadLog: log)
        #expect(await agent.waitForExit() == 78)
        #expect(agent.log.contains { $0.contains("$.plugins[0].config.mode") }, "\(agent.log)")
        let loaded = loads(log)
        #expect(loaded.count == 1, "the library was loaded once, to read its schema: \(loaded)")
        #expect(loaded.allSatisfy { !Processes.isAlive($0) }, "a child outlived the refused start: \(loaded)")
    }

    /// Starts `host` on `library` as the agent does and returns its hello's verdict.
    func hello(host: String, library: String) throws -> Result<PluginManifest, PluginLoadError> {
        let child = try LoadingChild.spawn(
            .init(instanceID: "t", executable: host, library: library, paths: .fromEnvironment()),
            spawner: ProcessSpawner(), logger: .init(label: "t"))
        let verdict = child.awaitHello(instanceID: "t", timeoutSeconds: 15)
        if case .success = verdict { child.discard(instanceID: "t", reason: "test over") }
        return verdict
    }

    @Test func bothHostsSayTheSameAboutEveryLibrary() throws {
        let garbage = dir.write("libproctor-junk.so", String(repeating: "not an ELF file. ", count: 20))
        let libraries = [
            TestBuild.plugin("heartbeat"), TestBuild.plugin("sysinfo"), TestBuild.plugin("test-chaos"),
            TestBuild.plugin("test-abi-v2"), TestBuild.plugin("test-abi-minor-too-new"), TestBuild.plugin("test-abi-refuses"),
            "/nowhere/libproctor-x.so", "/lib/x86_64-linux-gnu/libm.so.6", garbage,
        ]
        for library in libraries {
            let swift = try hello(host: TestBuild.pluginHost, library: library)
            let c = try hello(host: TestBuild.pluginHostC, library: library)
            switch (swift, c) {
            case (.success(let expected), .success(let manifest)):
                #expect(manifest == expected, "\(library)")
            case (.failure(let expected), .failure(let error)):
                #expect(error.description == expected.description, "\(library)")
            default:
                Issue.record("\(library): the Swift host said \(swift), the C host \(c)")
            }
        }
        // As the in-process loader says it, for one of each.
        #expect(try hello(host: TestBuild.pluginHostC, library: TestBuild.plugin("heartbeat")).get()
            == PluginLibrary.open(path: TestBuild.plugin("heartbeat")).manifest)
        let v2 = TestBuild.plugin("test-abi-v2")
        #expect(throws: PluginLoadError.relayed(PluginLoadError.abiMajorMismatch(path: v2, pluginMajor: 2, hostMajor: 1).description)) {
            try hello(host: TestBuild.pluginHostC, library: v2).get()
        }
    }

    @Test func theAgentPicksTheCHostOnlyForLibrariesWithoutTheSwiftRuntime() {
        let swiftHost = TestBuild.pluginHost
        #expect(PluginHostExecutable.host(for: TestBuild.plugin("heartbeat"), swiftHost: swiftHost) == TestBuild.pluginHostC)
        for library in ["sysinfo", "test-chaos", "gaze"] {
            #expect(PluginHostExecutable.host(for: TestBuild.plugin(library), swiftHost: swiftHost) == swiftHost, "\(library)")
        }
        // Unreadable: the Swift host says why.
        #expect(PluginHostExecutable.host(for: "/nowhere/libproctor-x.so", swiftHost: swiftHost) == swiftHost)
        // No C host beside the Swift one: everything runs in the Swift host.
        let elsewhere = dir.path + "/proctord-plugin-host"
        #expect(PluginHostExecutable.host(for: TestBuild.plugin("heartbeat"), swiftHost: elsewhere) == elsewhere)
    }
}
