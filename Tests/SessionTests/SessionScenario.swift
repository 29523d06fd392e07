import Foundation
import ProctorHost
import ProctorJSON
import ProctorTestSupport
import Testing

/// Every session test with a bus runs inside this suite, one at a time: each
/// starts its own dbus-daemon, X server and agent.
@Suite(.serialized) enum SessionIntegrationTests {}

/// One test's world: a private session bus (dbus-daemon with its own
/// config), on request a real notification server (notification-daemon on a
/// private Xvfb display), a dbus-monitor on the notifications interface, and
/// a real agent supervising the session plugin as a child process pointed at
/// that bus. No system bus runs here: the plugin is told not to watch one,
/// unless a test names a missing one or asks for `logind`: then a second
/// private bus stands for the system bus, with a logind stand-in on it.
final class SessionScenario: AgentScenario, @unchecked Sendable {
    let directory: TemporaryDirectory
    let bus: DBusSessionBus
    let xvfb: XvfbServer?
    var notifications: NotificationServer?
    /// Instead of notification-daemon, when a test must click: see NotificationServerStandIn.
    var notificationStandIn: NotificationServerStandIn?
    var screensaver: ScreensaverStandIn?
    var systemBus: DBusSessionBus?
    var logind: LogindStandIn?
    let monitor: BusMonitor?
    let agent: Agent
    let log: EventLog
    private let noticeLoop: Task<Void, Never>

    static func start(
        config extra: JSONObject = [:], daemon: Bool = true, services: Bool = true, logind: Bool = false, clickable: Bool = false,
        wanted: String? = "running"
    ) async throws -> SessionScenario {
        let directory = TemporaryDirectory("proctord-session")
        let bus = try DBusSessionBus(directory: directory, startNow: daemon)
        var systemBus: DBusSessionBus?
        var logindStandIn: LogindStandIn?
        if logind {
            let system = try DBusSessionBus(directory: directory, name: "system-bus")
            systemBus = system
            logindStandIn = try await LogindStandIn(bus: system, directory: directory)
        }
        var xvfb: XvfbServer?
        var server: NotificationServer?
        var standIn: NotificationServerStandIn?
        var monitor: BusMonitor?
        var screensaver: ScreensaverStandIn?
        if daemon {
            monitor = try await BusMonitor(bus: bus, interface: "org.freedesktop.Notifications", directory: directory)
            if services {
                let display = try XvfbServer(directory: directory)
                xvfb = display
                if clickable {
                    standIn = try await NotificationServerStandIn(bus: bus, directory: directory)
                } else {
                    server = try await NotificationServer(bus: bus, display: display.display, directory: directory)
                }
                screensaver = try await ScreensaverStandIn(bus: bus, directory: directory)
            }
        }
        var config: JSONObject = ["session_bus": .string(bus.address), "system_bus": "none", "reconnect_max_ms": 500]
        if let systemBus { config["system_bus"] = .string(systemBus.address) }
        for (key, value) in extra.members { config[key] = value }
        var builder = ConfigBuilder()
        builder.add(id: "session", library: "session", config: .object(config))
        let agent = try makeAgent(builder, in: directory)
        let scenario = SessionScenario(directory: directory, bus: bus, xvfb: xvfb, notifications: server, monitor: monitor, agent: agent)
        scenario.screensaver = screensaver
        scenario.notificationStandIn = standIn
        scenario.systemBus = systemBus
        scenario.logind = logindStandIn
        try await agent.start()
        if let wanted, await scenario.log.waitForState("session", { $0["state"]?.stringValue == wanted }) == nil {
            await scenario.stop()
            throw HarnessError("the session plugin did not reach \(wanted): \(scenario.log.states(of: "session"))")
        }
        // The plugin reports running as it starts: wait until it has looked at the bus's services too.
        if daemon && services, await !scenario.seesServices() {
            await scenario.stop()
            throw HarnessError("the session plugin did not see the test bus's services: \((try? await scenario.request("status")) ?? nil)")
        }
        if logind, await !scenario.seesLoginSession() {
            await scenario.stop()
            throw HarnessError("the session plugin found no logind session: \((try? await scenario.request("status")) ?? nil)")
        }
        return scenario
    }

    private init(directory: TemporaryDirectory, bus: DBusSessionBus, xvfb: XvfbServer?, notifications: NotificationServer?,
                 monitor: BusMonitor?, agent: Agent) {
        self.directory = directory
        self.bus = bus
        self.xvfb = xvfb
        self.notifications = notifications
        self.monitor = monitor
        self.agent = agent
        log = EventLog(bus: agent.bus)
        // The agent's notice subscriber, as `runUntilCancelled` runs it.
        noticeLoop = Task { [notices = agent.notices] in await notices.run() }
    }

    /// `method` sent to the session plugin.
    func request(_ method: String, _ params: JSONValue? = nil) async throws -> JSONValue {
        try await request("session", method, params)
    }

    /// Asks the plugin for a notification and returns its `result` (or the whole answer when it failed).
    func notify(_ title: String, body: String = "", key: String? = nil, actions: [(String, String)] = []) async throws -> JSONValue {
        var params: JSONObject = ["title": .string(title), "body": .string(body)]
        if let key { params["key"] = .string(key) }
        if !actions.isEmpty { params["actions"] = .array(actions.map { ["id": .string($0.0), "label": .string($0.1)] }) }
        let answer = try await request("notify", .object(params))
        return answer["result"] ?? answer
    }

    /// The Notify calls dbus-monitor saw whose text contains `text`.
    func notifyCalls(containing text: String = "") -> [String] {
        (monitor?.calls("Notify") ?? []).filter { text.isEmpty || $0.contains(text) }
    }

    /// Waits until the plugin has seen the notification server and the screensaver stand-in.
    func seesServices() async -> Bool {
        await eventually(timeout: .seconds(15)) {
            let services = (try? await request("status"))?["result"]?["session_bus"]?["services"]
            return services?["org.freedesktop.Notifications"] == true && services?[ScreensaverStandIn.name] == true
        }
    }

    /// Waits until the plugin has found the logind stand-in's session.
    func seesLoginSession() async -> Bool {
        await eventually(timeout: .seconds(15)) {
            (try? await request("status"))?["result"]?["login_session"]?.stringValue == LogindStandIn.sessionPath
        }
    }

    /// Starts the notification server and the screensaver stand-in again on a bus that was restarted.
    func restartServices() async throws {
        screensaver?.stop()
        notifications?.stop()
        let display = try #require(xvfb?.display)
        notifications = try await NotificationServer(bus: bus, display: display, directory: directory)
        screensaver = try await ScreensaverStandIn(bus: bus, directory: directory)
    }

    func stop() async {
        noticeLoop.cancel()
        await agent.stopAll()
        screensaver?.stop()
        logind?.stop()
        systemBus?.stop()
        notifications?.stop()
        notificationStandIn?.stop()
        monitor?.stop()
        xvfb?.stop()
        bus.stop()
    }
}
