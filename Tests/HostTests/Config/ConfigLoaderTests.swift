import ProctorHost
import ProctorJSON
import ProctorTestSupport
import Testing

@Suite struct ConfigLoaderTests {
    let dir = TemporaryDirectory()

    func load(_ text: String) throws -> AgentConfig {
        try ConfigLoader.load(file: dir.write("plugins.json", text))
    }

    func errors(_ text: String) -> [String] {
        do {
            _ = try load(text)
            return []
        } catch let error as ConfigErrors {
            return error.errors.map(\.description)
        } catch {
            return ["\(error)"]
        }
    }

    @Test func readsASmallConfigWithDefaults() throws {
        let config = try load(#"{"plugins":[{"id":"heartbeat","library":"heartbeat"}]}"#)
        #expect(config.api.port == 47615)
        #expect(config.plugins.map(\.id) == ["heartbeat"])
        #expect(config.plugins[0].enabled && config.plugins[0].config == [:])
        #expect(config.plugins[0].restart == RestartPolicy())
        let paths = AgentPaths(configDirectory: "/c", stateDirectory: "/s", runtimeDirectory: "/r", dataDirectory: "/d", executableDirectory: "/opt/proctord/bin")
        #expect(config.libraryPath(for: config.plugins[0], paths: paths) == "/opt/proctord/bin/libproctor-heartbeat.so")
    }

    @Test func aSyntaxErrorNamesFileLineAndColumn() {
        let file = dir.path + "/plugins.json"
        #expect(errors("{\n  \"plugins\": [\n    {\"id\": \"a\" \"library\": \"b\"}\n  ]\n}") == [
            "\(file):3:16: expected ',' or '}' in object"
        ])
    }

    @Test func structuralErrorsNameFileAndJSONPath() {
        let file = dir.path + "/plugins.json"
        let found = errors(#"{"api":{"port":70000,"allowed_origins":["https://ok.example","ftp://x"]},"plugins":[{"id":"Bad Id","library":"x","extra":1}],"colour":"blue"}"#)
        #expect(found == [
            "\(file): $.api.port: 70000 is greater than the maximum 65535",
            #"\#(file): $.api.allowed_origins[1]: "ftp://x" does not match the pattern ^https?://[^/\s]+$"#,
            #"\#(file): $.plugins[0].id: "Bad Id" does not match the pattern ^[a-z0-9_-]{1,32}$"#,
            "\(file): $.plugins[0].extra: unknown setting (known: id, library, enabled, config, restart, hang_timeout_ms)",
            "\(file): $.colour: unknown setting (known: $comment, api, store, bus, guidelines, plugin_dir, restart, plugins)",
        ])
    }

    @Test func duplicateIdsAreRefused() {
        let found = errors(#"{"plugins":[{"id":"a","library":"x"},{"id":"a","library":"y"}]}"#)
        #expect(found.count == 1 && found[0].hasSuffix(#"$.plugins[1].id: duplicate plugin id "a" (first at $.plugins[0])"#))
    }

    @Test func aMissingFileSaysSo() {
        #expect(errors("").isEmpty == false)
        do {
            _ = try ConfigLoader.load(file: dir.path + "/nope.json")
            Issue.record("loaded a missing file")
        } catch {
            #expect("\(error)" == "\(dir.path)/nope.json: No such file or directory")
        }
    }

    @Test func pluginConfigIsCheckedAgainstThePluginsSchema() throws {
        let config = try load(#"{"plugins":[{"id":"hb","library":"heartbeat","config":{"interval_ms":5,"colour":1}}]}"#)
        let manifest = PluginManifest(
            id: "heartbeat", name: "Heartbeat", version: "1", summary: "", capabilities: [], topics: ["heartbeat.tick"],
            configSchema: ["type": "object", "additionalProperties": false,
                           "properties": ["interval_ms": ["type": "integer", "minimum": 10, "default": 1000]]],
            abiMajor: 1, abiMinor: 0, library: "/x.so")
        guard case .failure(let failure) = ConfigLoader.validatePluginConfig(config.plugins[0], manifest: manifest, file: config.file) else {
            Issue.record("accepted a bad plugin config")
            return
        }
        #expect(failure.errors.map(\.description) == [
            "\(config.file): $.plugins[0].config.interval_ms: 5 is less than the minimum 10",
            "\(config.file): $.plugins[0].config.colour: unknown setting (known: interval_ms)",
        ])
        let good = try load(#"{"plugins":[{"id":"hb","library":"heartbeat"}]}"#)
        #expect(try ConfigLoader.validatePluginConfig(good.plugins[0], manifest: manifest, file: good.file).get() == ["interval_ms": 1000])
    }

    @Test func theShippedDefaultConfigIsValid() throws {
        let config = try ConfigLoader.load(file: TestBuild.repositoryRoot + "/plugins.json")
        #expect(!config.plugins.isEmpty)
        #expect(config.api.port == 47615)
    }

    @Test func storeSettingsHaveDefaultsAndLimitsNamedByFileFieldAndValue() throws {
        let plugins = #""plugins":[]"#
        #expect(try load("{\(plugins)}").store == InterviewManager.Settings())
        let set = try load(#"{"store":{"idle_end_minutes":45,"retention_days":7},"# + plugins + "}")
        #expect(set.store.idleEndMinutes == 45 && set.store.retentionDays == 7)
        let file = dir.path + "/plugins.json"
        let problems = errors(#"{"store":{"idle_end_minutes":0,"retention_days":"30"},"# + plugins + "}")
        #expect(problems.count == 2 && problems.contains("\(file): $.store.idle_end_minutes: 0 is less than the minimum 1"))
        #expect(problems.contains { $0.hasPrefix("\(file): $.store.retention_days: expected integer") && $0.contains("30") })
        #expect(errors(#"{"store":{"retention":30},"# + plugins + "}").first?.contains("$.store") == true)
    }

    @Test func busReplayLimitsHaveDefaultsAndBoundsNamedByFileFieldAndValue() throws {
        let plugins = #""plugins":[]"#
        #expect(try load("{\(plugins)}").bus == EventBus.Limits())
        let set = try load(#"{"bus":{"replay_events":2000,"replay_mib":3},"# + plugins + "}")
        #expect(set.bus.replayCount == 2000 && set.bus.replayBytes == 3 << 20)
        let file = dir.path + "/plugins.json"
        #expect(errors(#"{"bus":{"replay_events":10,"replay_mib":0},"# + plugins + "}") == [
            "\(file): $.bus.replay_events: 10 is less than the minimum 100",
            "\(file): $.bus.replay_mib: 0 is less than the minimum 1",
        ])
    }

    /// The agent's own bus keeps what the file says, no more.
    @Test func theAgentsRingHoldsTheConfiguredCount() throws {
        let config = try load(#"{"bus":{"replay_events":100},"plugins":[]}"#)
        let agent = Agent(config: config, paths: try AgentPaths.isolated(in: dir), logger: .silent, executable: TestBuild.proctord)
        for _ in 0..<150 { agent.bus.publish(plugin: "p", topic: "t.x", data: "{}") }
        guard case .tooOld(_, let oldest, let kept) = agent.bus.replay(after: 0) else {
            Issue.record("a replay from the start should no longer be whole")
            return
        }
        #expect(kept.count == 100 && oldest == 51)
    }
}
