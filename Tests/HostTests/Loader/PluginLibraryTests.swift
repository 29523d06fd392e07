import Foundation
import ProctorHost
import ProctorJSON
import ProctorTestSupport
import Synchronization
import Testing

/// Loading plugins through the ABI, in this process (the agent itself only
/// does this in its children).
@Suite struct PluginLibraryTests {
    @Test func loadsTheCExamplePlugin() throws {
        let library = try PluginLibrary.open(path: TestBuild.plugin("heartbeat"))
        let manifest = library.manifest
        #expect(manifest.id == "heartbeat" && manifest.abiMajor == 1 && manifest.abiMinor == 0)
        #expect(manifest.capabilities == ["requests"] && manifest.topics == ["heartbeat.tick"])
        #expect(manifest.configSchema["properties"]?["interval_ms"]?["minimum"] == 10)
    }

    @Test func loadsTheSwiftExamplePlugin() throws {
        let manifest = try PluginLibrary.open(path: TestBuild.plugin("sysinfo")).manifest
        #expect(manifest.id == "sysinfo" && manifest.name == "System load")
        #expect(manifest.topics == ["sysinfo.load"])
        #expect(manifest.configSchema["properties"]?["interval_s"]?["default"] == 10)
    }

    @Test func refusesAPluginBuiltForAnotherMajor() {
        let path = TestBuild.plugin("test-abi-v2")
        #expect(throws: PluginLoadError.abiMajorMismatch(path: path, pluginMajor: 2, hostMajor: 1)) {
            try PluginLibrary.open(path: path)
        }
        let message = PluginLoadError.abiMajorMismatch(path: path, pluginMajor: 2, hostMajor: 1).description
        #expect(message.contains("built for ABI 2.x, this proctord speaks ABI 1.x"))
    }

    @Test func refusesAPluginThatNeedsANewerMinor() {
        let path = TestBuild.plugin("test-abi-minor-too-new")
        #expect(throws: PluginLoadError.abiMinorTooNew(path: path, plugin: "1.99", host: "1.0")) {
            try PluginLibrary.open(path: path)
        }
        let polite = TestBuild.plugin("test-abi-refuses")
        #expect(throws: PluginLoadError.refused(path: polite, host: "1.0")) { try PluginLibrary.open(path: polite) }
    }

    @Test func saysWhenTheLibraryIsMissingOrNotAPlugin() {
        #expect(throws: PluginLoadError.missing(path: "/nowhere/libproctor-x.so")) {
            try PluginLibrary.open(path: "/nowhere/libproctor-x.so")
        }
        let notPlugin = "/lib/x86_64-linux-gnu/libm.so.6"
        #expect(throws: PluginLoadError.notAPlugin(path: notPlugin)) { try PluginLibrary.open(path: notPlugin) }
        let dir = TemporaryDirectory()
        let garbage = dir.write("libproctor-junk.so", String(repeating: "not an ELF file. ", count: 20))
        #expect {
            try PluginLibrary.open(path: garbage)
        } throws: { error in
            guard case .cannotOpen(let path, let reason) = error as? PluginLoadError else { return false }
            return path == garbage && reason.contains("invalid ELF header")
        }
    }

    @Test func theProbeReportsLoadErrorsFromItsChild() async throws {
        let probe = PluginProbe(executable: TestBuild.pluginHost, spawner: ProcessSpawner())
        let result = await probe.describe(library: TestBuild.plugin("test-abi-v2"))
        guard case .failure(let error) = result else {
            Issue.record("probe loaded an ABI 2 plugin")
            return
        }
        #expect(error.description.contains("ABI major mismatch"))
        let heartbeat = try await probe.describe(library: TestBuild.plugin("heartbeat")).get()
        #expect(heartbeat.id == "heartbeat")
    }

    @Test func aLibraryThatHangsWhileLoadingIsKilledAndNamed() async throws {
        var probe = PluginProbe(executable: TestBuild.pluginHost, spawner: ProcessSpawner())
        probe.timeoutSeconds = 1
        let library = TestBuild.plugin("test-hangs-on-load")
        let started = ContinuousClock.now
        let result = await probe.describe(library: library)
        #expect(ContinuousClock.now - started < .seconds(5), "the probe gave up on time")
        guard case .failure(let error) = result else {
            Issue.record("the probe loaded a library that never finishes loading")
            return
        }
        #expect(error == .hungWhileLoading(path: library, seconds: 1))
        #expect(error.description.contains("did not finish loading within 1 s"))
        let left = Processes.descendants(of: getpid()).filter { Processes.commandLine($0).contains("hangs-on-load") && Processes.isAlive($0) }
        #expect(left.isEmpty, "the probe (which ignores SIGTERM) was killed: \(left)")
    }

    @Test func runsTheCPluginAndAnswersAPing() async throws {
        let library = try PluginLibrary.open(path: TestBuild.plugin("heartbeat"))
        let bus = EventBus()
        let subscription = bus.subscribe(name: "t", patterns: [.all])
        let instance = try PluginInstance(library: library, config: #"{"interval_ms":20}"#,
                                          output: InProcessOutput(instanceID: "hb", manifest: library.manifest, bus: bus, logger: .init(label: "t")),
                                          paths: .fromEnvironment())
        try instance.start()
        let ticks = await [subscription.next(), subscription.next(), subscription.next()].compactMap { $0 }
        instance.stop()
        #expect(ticks.map(\.topic) == ["heartbeat.tick", "heartbeat.tick", "heartbeat.tick"])
        #expect(ticks.compactMap { try? JSONParser.parse($0.data)["n"]?.intValue } == [1, 2, 3])
        let pong = try JSONParser.parse(instance.request(#"{"method":"ping"}"#))
        #expect(pong["result"]?["pong"] == true)
        #expect((pong["result"]?["ticks"]?.intValue ?? 0) >= 3, "the ticks counted so far")
        let unknown = try JSONParser.parse(instance.request(#"{"method":"pingx"}"#))
        #expect(unknown["error"]?["code"] == "unknown_method")
    }

    @Test func runsTheSwiftPluginThroughPluginKit() async throws {
        let library = try PluginLibrary.open(path: TestBuild.plugin("sysinfo"))
        let dir = TemporaryDirectory()
        dir.write("loadavg", "0.50 0.25 0.10 1/100 42\n")
        dir.write("meminfo", "MemTotal:       2000 kB\nMemFree:         100 kB\nMemAvailable:    1500 kB\n")
        let events = Mutex<[Event]>([])
        let output = InProcessOutput(instanceID: "sys", manifest: library.manifest, bus: EventBus(), logger: .init(label: "t")) { event in
            events.withLock { $0.append(event) }
        }
        let instance = try PluginInstance(library: library, config: #"{"interval_s":0.1,"proc_dir":"\#(dir.path)"}"#, output: output, paths: .fromEnvironment())
        let snapshot = try JSONParser.parse(instance.request(#"{"method":"snapshot"}"#))
        #expect(snapshot["result"] == ["load1": 0.5, "load5": 0.25, "load15": 0.1, "mem_available_kib": 1500, "mem_total_kib": 2000])
        try instance.start()
        try await Task.sleep(for: .milliseconds(250))
        instance.stop()
        let emitted = events.withLock { $0 }
        #expect(emitted.count >= 2 && emitted.allSatisfy { $0.topic == "sysinfo.load" && $0.plugin == "sys" })

        // create refuses a config it cannot work with, and says why.
        #expect {
            try PluginInstance(library: library, config: #"{"interval_s":1,"proc_dir":"/nonexistent"}"#, output: output, paths: .fromEnvironment())
        } throws: { "\($0)".contains("cannot read /nonexistent/loadavg") }
    }

    @Test func eventsOutsideTheDeclaredTopicsOrNotJSONAreRefused() throws {
        let manifest = try PluginLibrary.open(path: TestBuild.plugin("heartbeat")).manifest
        let check = EmitCheck(manifest: manifest)
        func verdict(_ topic: String, _ data: String) -> EmitCheck.Verdict {
            Array(topic.utf8).withUnsafeBytes { t in Array(data.utf8).withUnsafeBytes { d in check.check(topic: t, data: d) } }
        }
        #expect(verdict("heartbeat.tick", "{}") == .accepted)
        #expect(verdict("plugin.state", "{}") == .invalid("undeclared topic plugin.state"))
        #expect(verdict("heartbeat.tick", "[1]") == .invalid("heartbeat.tick: data is not one JSON object in UTF-8"))
        #expect(verdict("Heartbeat", "{}") == .invalid("invalid topic"))
    }
}
