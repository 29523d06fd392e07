import Foundation
import Logging
import ProctorHost
import ProctorJSON
import ProctorTestSupport
import Testing

/// Every X11 integration test runs inside this suite, one test at a time:
/// each starts its own X server, window manager and browser, and their
/// timings must not compete with each other on a small machine.
@Suite(.serialized) enum X11IntegrationTests {}

/// A private desktop a scenario runs its plugins on: it points each
/// plugin's config at itself.
protocol ScenarioDesktop: AnyObject {
    func configure(_ config: inout JSONObject)
    func stop()
}

extension X11TestDesktop: ScenarioDesktop {
    func configure(_ config: inout JSONObject) {
        if config["display"] == nil { config["display"] = .string(display) }
    }
}

extension SwayCompositor: ScenarioDesktop {
    func configure(_ config: inout JSONObject) {
        if config["display_server"] == nil { config["display_server"] = "wayland" }
        if config["wayland_display"] == nil { config["wayland_display"] = .string(socket) }
    }
}

/// The X11 tests' world.
typealias PluginScenario = DesktopScenario<X11TestDesktop>

extension DesktopScenario where Desktop == X11TestDesktop {
    static func start(_ plugins: [(id: String, library: String, config: JSONValue)]) async throws -> PluginScenario {
        try await start(plugins, on: X11TestDesktop())
    }

    var tools: XTools { desktop.tools }
}

/// One test's world: a private desktop, a real agent supervising the display
/// plugins as child processes on it, and the events the agent publishes.
final class DesktopScenario<Desktop: ScenarioDesktop>: @unchecked Sendable {
    let desktop: Desktop
    let agent: Agent
    let log: EventLog
    private let directory: TemporaryDirectory

    /// Starts an agent with `plugins` (id, library, config) on `desktop`; each
    /// config is pointed at it. Returns once every plugin runs (or, with
    /// `degradedIsRunning`, runs blind to part of the desktop).
    static func start(
        _ plugins: [(id: String, library: String, config: JSONValue)], on desktop: Desktop, degradedIsRunning: Bool = false
    ) async throws -> DesktopScenario {
        let directory = TemporaryDirectory("proctord-x11-agent")
        var builder = ConfigBuilder()
        for plugin in plugins {
            var config = plugin.config.objectValue ?? JSONObject()
            desktop.configure(&config)
            if config["reconnect_max_ms"] == nil { config["reconnect_max_ms"] = 500 }
            builder.add(id: plugin.id, library: plugin.library, config: .object(config))
        }
        let config = try ConfigLoader.load(file: builder.write(to: directory))
        var paths = AgentPaths.fromEnvironment()
        paths.stateDirectory = directory.path + "/state"
        let agent = Agent(config: config, paths: paths, logger: .silent, executable: TestBuild.proctord)
        let scenario = DesktopScenario(desktop: desktop, agent: agent, log: EventLog(bus: agent.bus), directory: directory)
        try await agent.start()
        for plugin in plugins {
            // Running means start returned; the plugin watches the display once its
            // status says so (a window opened before that would be "present", not "opened").
            guard await scenario.log.waitForState(plugin.id, { $0["state"] == "running" || (degradedIsRunning && $0["state"] == "degraded") }) != nil,
                await eventually(timeout: .seconds(15), { (try? await scenario.request(plugin.id, "status"))?["result"]?["connected"] == true })
            else {
                await scenario.stop()
                throw HarnessError("plugin \(plugin.id) did not run: \(scenario.log.states(of: plugin.id))")
            }
        }
        return scenario
    }

    private init(desktop: Desktop, agent: Agent, log: EventLog, directory: TemporaryDirectory) {
        self.desktop = desktop
        self.agent = agent
        self.log = log
        self.directory = directory
    }

    /// The seq of the newest event the bus published so far (the log may
    /// not have caught up yet): wait for what comes after it.
    var lastSeq: UInt64 { agent.bus.nextSeq - 1 }

    func request(_ plugin: String, _ method: String, _ params: JSONValue? = nil) async throws -> JSONValue {
        var request: JSONObject = ["method": .string(method)]
        if let params { request["params"] = params }
        let supervisor = try #require(await agent.supervisor(plugin))
        return try JSONParser.parse(await supervisor.request(JSONWriter.compact(.object(request))))
    }

    /// The marker the page must put into its title, as the plugin hands it out.
    func marker(from plugin: String = "screen") async throws -> String {
        try #require(try await request(plugin, "window_marker")["result"]?["marker"]?.stringValue)
    }

    /// The data of every `topic` event after `seq`, in order.
    func events(_ topic: String, after seq: UInt64 = 0) -> [JSONValue] {
        log.data(topic, after: seq)
    }

    /// Waits for a `topic` event after `seq` whose data satisfies `match`.
    func waitFor(
        _ topic: String, after seq: UInt64 = 0, timeout: Duration = .seconds(15), _ match: @escaping (JSONValue) -> Bool = { _ in true }
    ) async -> (event: Event, data: JSONValue)? {
        await log.waitFor(topic, after: seq, timeout: timeout, match)
    }

    /// Milliseconds between two events' timestamps.
    static func milliseconds(from a: Event, to b: Event) -> Int64 {
        b.timestamp.millisecondsSinceEpoch - a.timestamp.millisecondsSinceEpoch
    }

    /// Every published event checked against docs/topics.json.
    func schemaProblems() throws -> [String] { try log.schemaProblems() }

    func stop() async {
        await agent.stopAll()
        desktop.stop()
    }
}
