import ProctorHost
import ProctorJSON
import ProctorTestSupport
import Testing

/// What the shipped plugins and the host emit matches docs/topics.json.
@Suite(.serialized) struct TopicSchemaTests {
    @Test func everyShippedTopicIsDocumented() throws {
        let schemas = try TopicSchemas.load()
        for plugin in ["heartbeat", "sysinfo"] {
            let manifest = try PluginLibrary.open(path: TestBuild.plugin(plugin)).manifest
            for topic in manifest.topics {
                #expect(schemas.schemas[topic] != nil, "\(plugin) declares \(topic), which docs/topics.json does not define")
            }
        }
    }

    @Test func emittedEventsMatchTheirSchemas() async throws {
        let schemas = try TopicSchemas.load()
        let dir = TemporaryDirectory()
        var builder = ConfigBuilder()
        builder.add(id: "heartbeat", library: "heartbeat", config: ["interval_ms": 20])
        builder.add(id: "sysinfo", library: "sysinfo", config: ["interval_s": 0.1])
        builder.add(id: "flood", library: "test-chaos", config: ["mode": "flood"])
        builder.add(id: "crashy", library: "test-chaos", config: ["mode": "segfault", "after_ms": 50], restart: ["initial_delay_ms": 50])
        let config = try ConfigLoader.load(file: builder.write(to: dir))
        var paths = AgentPaths.fromEnvironment()
        paths.stateDirectory = dir.path + "/state"
        let agent = Agent(config: config, paths: paths, logger: .silent, executable: TestBuild.proctord)
        // A small queue that the flood overflows, so bus.dropped is published too.
        let slow = agent.bus.subscribe(name: "slow", patterns: [.all], capacity: 8)
        let log = EventLog(bus: agent.bus, patterns: ["plugin.state", "bus.dropped", "heartbeat.*", "sysinfo.*"])
        try await agent.start()
        let running = Task { await agent.runUntilCancelled() }
        let topics = ["plugin.state", "bus.dropped", "heartbeat.tick", "sysinfo.load"]
        func states() -> Set<String> {
            Set(log.all.filter { $0.topic == "plugin.state" }.compactMap { try? JSONParser.parse($0.data)["state"]?.stringValue })
        }
        // bus.dropped comes at the first drop, which may be before the crash.
        #expect(await eventually { Set(log.all.map(\.topic)).isSuperset(of: topics) && states().contains("crashed") },
                "saw \(Set(log.all.map(\.topic))), states \(states())")
        running.cancel()
        await running.value
        slow.cancel()
        #expect(states().isSuperset(of: ["starting", "running", "crashed", "stopping", "stopped"]))
        for event in log.all {
            #expect(schemas.problems(with: event).isEmpty, "\(schemas.problems(with: event))")
        }
    }
}
