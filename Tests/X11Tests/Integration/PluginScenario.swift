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
final class DesktopScenario<Desktop: ScenarioDesktop>: AgentScenario, @unchecked Sendable {
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
        let agent = try makeAgent(builder, in: directory)
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


    /// The marker the page must put into its title, as the plugin hands it out.
    func marker(from plugin: String = "screen") async throws -> String {
        try #require(try await request(plugin, "window_marker")["result"]?["marker"]?.stringValue)
    }

    /// Milliseconds between two events' timestamps.
    static func milliseconds(from a: Event, to b: Event) -> Int64 {
        b.timestamp.millisecondsSinceEpoch - a.timestamp.millisecondsSinceEpoch
    }

    func stop() async {
        await agent.stopAll()
        desktop.stop()
    }
}
