import PluginKit
import ProctorJSON

/// Watches the desktop session over D-Bus (the screensaver on the session
/// bus, logind on the system bus: lock, sleep, idle) and shows the
/// interviewee friendly desktop notifications when the agent or a paired
/// page asks (`notify`), rate-limited and without repeats. The agent's own
/// notices and the pages' are judged apart (a gate each): a page can neither
/// claim one of the agent's keys nor spend its budget.
public final class SessionPlugin: Plugin {
    public static let description = PluginDescription(
        id: "session", name: "Session", version: "0.1.0",
        summary: "Reports screen lock, sleep and idle from the screensaver and logind, and shows the agent's desktop notifications.",
        topics: ["session.lock", "session.sleep", "session.idle", "session.notification"],
        configSchema: SessionSettings.schema)

    private let host: PluginHost
    private let settings: SessionSettings
    private let watch: SessionWatch
    /// The agent's and the pages' limits. PluginKit calls `handle` on one
    /// thread, never concurrently (Plugin.swift), so no lock guards them.
    private var gates: [RequestCaller: NotificationGate]
    private var sessionLink: SessionBusLink?
    private var systemLink: SessionBusLink?

    public init(host: PluginHost, config: JSONValue) throws {
        self.host = host
        settings = SessionSettings(config: config)
        watch = SessionWatch(host: host, settings: settings)
        let gate = NotificationGate(maxPerMinute: settings.maxPerMinute, duplicateWindowSeconds: settings.duplicateWindowSeconds)
        gates = [.agent: gate, .page: gate]
    }

    public func start() throws {
        if let address = settings.sessionBus {
            sessionLink = try link(system: false, address: address)
        }
        if let address = settings.systemBus {
            systemLink = try link(system: true, address: address)
        }
    }

    private func link(system: Bool, address: String) throws -> SessionBusLink {
        let bus: SessionWatch.Bus = system ? .system : .session
        let link = try SessionBusLink(system: system, address: address, reconnectMaxMs: settings.reconnectMaxMs) { [watch] event in
            watch.handle(event.pointee, from: bus)
        }
        try link.start()
        return link
    }

    public func stop() {
        sessionLink?.stop()
        systemLink?.stop()
        sessionLink = nil
        systemLink = nil
    }

    public func handle(method: String, params: JSONValue?, caller: RequestCaller) throws -> JSONValue {
        switch method {
        case "status":
            return watch.status()
        case "notify":
            return try notify(try NotificationRequest(params), caller: caller)
        default:
            throw PluginRequestError.unknownMethod(method)
        }
    }

    /// Shows one notification, unless it repeats one shown lately or the
    /// minute's budget is spent: those are answered, not queued.
    private func notify(_ request: NotificationRequest, caller: RequestCaller) throws -> JSONValue {
        guard settings.notifications else {
            throw PluginRequestError(code: "notifications_off", message: "notifications are off (config notifications: false)")
        }
        guard let link = sessionLink else {
            throw PluginRequestError(code: "no_session_bus", message: "the session bus is not watched (config session_bus: \"none\")")
        }
        let now = SessionTime.monotonicSeconds()
        switch gates[caller]!.judge(key: request.identity, now: now) {
        case .duplicate(let id):
            return ["outcome": "duplicate", "id": .number(Double(id))]
        case .rateLimited(let ms):
            return ["outcome": "rate_limited", "retry_in_ms": .number(Double(ms))]
        case .show:
            break
        }
        let state = watch.snapshot
        guard state.session.connected else {
            throw PluginRequestError(code: "no_session_bus", message: "not connected to the session bus \(state.session.address ?? ""): \(state.session.reason ?? "connecting")")
        }
        guard state.session.services[SessionWatch.notificationServer] != false else {
            throw PluginRequestError(code: "no_notification_server", message: "no notification server on the session bus (\(SessionWatch.notificationServer))")
        }
        let capabilities = state.capabilities
        let withActions = capabilities.contains("actions") && !request.actions.isEmpty
        var body = request.body
        if capabilities.contains("body-markup") { body = NotificationRequest.escapedMarkup(body) }
        var summary = request.title
        // A server that shows no body gets the words in the title.
        if !capabilities.isEmpty && !capabilities.contains("body") && !body.isEmpty { summary += ": " + request.body }
        let id: UInt32
        do {
            id = try link.notify(.init(
                summary: summary, body: body, icon: settings.icon, actions: withActions ? request.actions.map { ($0.id, $0.label) } : [],
                urgency: request.urgency, expireMs: Int32(request.timeoutMs ?? settings.expireMs)))
        } catch {
            throw PluginRequestError(code: "notify_failed", message: "the notification server refused: \(error)")
        }
        gates[caller]!.record(key: request.identity, id: id, now: now)
        watch.shown(id: id, key: request.key)
        host.emit("session.notification", [
            "state": "shown", "id": .number(Double(id)), "key": request.key.map(JSONValue.string) ?? .null,
            "actions": .array(withActions ? request.actions.map { .string($0.id) } : []),
        ])
        return ["outcome": "shown", "id": .number(Double(id)), "actions": .bool(withActions)]
    }
}
