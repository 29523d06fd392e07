import PluginKit
import ProctorJSON
import SessionBus
import Synchronization

/// What the two buses say about the session: the screensavers, logind, the
/// notification server. Fed by each link's thread (`handle`), read by
/// requests on the control thread; publishes `session.lock`, `session.sleep`,
/// `session.idle` and `session.notification`, and the plugin's health, which
/// names every bus and service that is missing.
final class SessionWatch: Sendable {
    enum Bus: String, Sendable {
        case session, system
    }

    struct Link: Sendable {
        var address: String?
        var connected = false
        var everConnected = false
        var reason: String?
        /// Bus name → whether it has an owner; absent: not looked at yet.
        var services: [String: Bool] = [:]
    }

    struct State: Sendable {
        var session: Link
        var system: Link
        var capabilities: Set<String> = []
        /// Screensaver interface → active.
        var screensavers: [String: Bool] = [:]
        var logindLocked: Bool?
        var loginSession: String?
        var loginSessionProblem: String?
        var idle: Bool?
        var health: String??
        /// Our notifications still up: server id → key.
        var notifications: [UInt32: String?] = [:]
        /// The unique name of the notification server that gave those ids.
        var notificationOwner: String?

        subscript(bus: Bus) -> Link {
            get { bus == .session ? session : system }
            set { if bus == .session { session = newValue } else { system = newValue } }
        }

        var locked: Bool { screensavers.values.contains(true) || logindLocked == true }
    }

    static let screensavers = ["org.freedesktop.ScreenSaver", "org.gnome.ScreenSaver"]
    static let notificationServer = "org.freedesktop.Notifications"
    static let logind = "org.freedesktop.login1"

    private let host: PluginHost
    private let notificationsWanted: Bool
    private let state: Mutex<State>

    init(host: PluginHost, settings: SessionSettings) {
        self.host = host
        notificationsWanted = settings.notifications
        state = Mutex(State(session: Link(address: settings.sessionBus), system: Link(address: settings.systemBus)))
    }

    var snapshot: State { state.withLock { $0 } }

    /// One finding from a link, on its thread.
    func handle(_ e: session_bus_event_t, from bus: Bus) {
        let name = session_bus_event_t.string(e.name), text = session_bus_event_t.string(e.text)
        switch e.kind {
        case SESSION_BUS_CONNECTED:
            state.withLock { s in
                s[bus].connected = true
                s[bus].everConnected = true
                s[bus].reason = nil
                s[bus].services = [:]
            }
            host.log(.info, "connected to the \(bus.rawValue) bus \(snapshot[bus].address ?? "") as \(text ?? "?")")
        case SESSION_BUS_DISCONNECTED:
            lost(bus, reason: text ?? "unknown")
        case SESSION_BUS_SERVICE:
            guard let name else { return }
            let gone = state.withLock { s -> Bool in
                s[bus].services[name] = e.flag != 0
                guard e.flag == 0 else { return false }
                if name == Self.notificationServer { s.capabilities = [] }
                return true
            }
            if name == Self.notificationServer { notificationServer(owner: e.flag != 0 ? text : nil) }
            if gone {
                if Self.screensavers.contains(name) { setScreensaver(name, active: nil) }
                if name == Self.logind { forgetLogind() }
            }
        case SESSION_BUS_SCREENSAVER:
            guard let name else { return }
            setScreensaver(name, active: e.flag != 0, initial: e.initial != 0)
        case SESSION_BUS_CAPABILITIES:
            let capabilities = Set((text ?? "").split(separator: "\n").map(String.init))
            state.withLock { $0.capabilities = capabilities }
        case SESSION_BUS_LOGIN_SESSION:
            state.withLock { s in
                s.loginSession = text
                s.loginSessionProblem = text == nil ? (name ?? "not found") : nil
            }
        case SESSION_BUS_LOCK:
            setLogindLock(e.flag != 0, initial: e.initial != 0)
        case SESSION_BUS_SLEEP:
            host.emit("session.sleep", ["sleeping": .bool(e.flag != 0)])
        case SESSION_BUS_IDLE:
            let idle = e.flag != 0
            let changed = state.withLock { s in
                defer { s.idle = idle }
                return s.idle != idle
            }
            guard changed else { break }
            var data: JSONObject = ["idle": .bool(idle), "initial": .bool(e.initial != 0)]
            // IdleSinceHint: µs since the epoch; 0 when logind does not know.
            data["since"] = idle && e.number > 0 ? .string(SessionTime.rfc3339(microseconds: e.number)) : .null
            host.emit("session.idle", .object(data))
        case SESSION_BUS_ACTION:
            guard let known = state.withLock({ $0.notifications[e.id] }) else { return }  // another program's notification
            host.emit("session.notification", ["state": "action", "id": .number(Double(e.id)), "key": known.map(JSONValue.string) ?? .null,
                                               "action": .string(text ?? "")])
        case SESSION_BUS_CLOSED:
            guard let known = state.withLock({ $0.notifications.removeValue(forKey: e.id) }) else { return }
            let reasons = [1: "expired", 2: "dismissed", 3: "closed"]
            host.emit("session.notification", ["state": "closed", "id": .number(Double(e.id)), "key": known.map(JSONValue.string) ?? .null,
                                               "reason": .string(reasons[Int(e.number)] ?? "undefined")])
        default:
            break
        }
        reportHealth()
    }

    /// A bus is gone: what it said is unknown now. Failed attempts to
    /// reconnect keep the first reason.
    private func lost(_ bus: Bus, reason: String) {
        let first = state.withLock { s -> Bool in
            let first = s[bus].reason == nil
            s[bus].connected = false
            s[bus].services = [:]
            if first { s[bus].reason = reason }
            if bus == .session { s.capabilities = [] }
            return first
        }
        if bus == .session { notificationServer(owner: nil) }
        if first { host.log(.warning, "\(bus.rawValue) bus \(snapshot[bus].address ?? ""): \(reason)") }
        if bus == .session {
            for name in Self.screensavers { setScreensaver(name, active: nil) }
        } else {
            forgetLogind()
        }
    }

    /// The notification server now is `owner` (nil: none). Another server
    /// (or none) never reports on our notifications, and a new one counts
    /// ids from 1 again, so one of its ids could match an old "Allow": every
    /// notification still up is closed, reason undefined.
    private func notificationServer(owner: String?) {
        let orphans = state.withLock { s -> [(UInt32, String?)] in
            guard s.notificationOwner != owner || owner == nil else { return [] }
            s.notificationOwner = owner
            defer { s.notifications = [:] }
            return s.notifications.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        }
        for (id, key) in orphans {
            host.emit("session.notification", ["state": "closed", "id": .number(Double(id)), "key": key.map(JSONValue.string) ?? .null,
                                               "reason": "undefined"])
        }
    }

    private func forgetLogind() {
        state.withLock { s in
            s.loginSession = nil
            s.loginSessionProblem = nil
            s.idle = nil
        }
        setLogindLock(nil, initial: false)
    }

    private func setScreensaver(_ name: String, active: Bool?, initial: Bool = false) {
        let (before, after) = state.withLock { s in
            let before = (s.screensavers[name], s.locked)
            s.screensavers[name] = active
            return (before, s.locked)
        }
        guard before.0 != active || initial else { return }
        if active == nil && before.1 == after { return }  // a service gone that said nothing changes nothing
        emitLock(after, source: "screensaver", service: name, initial: initial)
    }

    private func setLogindLock(_ locked: Bool?, initial: Bool) {
        let (before, after) = state.withLock { s in
            let before = (s.logindLocked, s.locked)
            s.logindLocked = locked
            return (before, s.locked)
        }
        guard before.0 != locked || initial else { return }
        if locked == nil && before.1 == after { return }
        emitLock(after, source: "logind", service: Self.logind, initial: initial)
    }

    private func emitLock(_ locked: Bool, source: String, service: String, initial: Bool) {
        host.emit("session.lock", ["locked": .bool(locked), "source": .string(source), "service": .string(service), "initial": .bool(initial)])
    }

    /// Says which bus or service is missing, by name, or that all is well;
    /// only when that changes, and only once every connected bus has been
    /// looked at (a bus just connected has not said yet what it lacks).
    private func reportHealth() {
        let s = snapshot
        let watched = (Self.screensavers + [Self.notificationServer]).allSatisfy { s.session.services[$0] != nil }
        let logindKnown = s.system.services[Self.logind] == false || s.loginSession != nil || s.loginSessionProblem != nil
        guard !(s.session.connected && !watched), !(s.system.connected && !logindKnown) else { return }
        var missing: [String] = []
        if let address = s.session.address {
            if let reason = s.session.reason {
                missing.append(s.session.everConnected ? "session bus \(address) went away: \(reason)" : "no session bus at \(address): \(reason)")
            } else if s.session.connected {
                if Self.screensavers.allSatisfy({ s.session.services[$0] == false }) {
                    missing.append("no screensaver on the session bus (\(Self.screensavers.joined(separator: ", ")))")
                }
                if notificationsWanted && s.session.services[Self.notificationServer] == false {
                    missing.append("no notification server on the session bus (\(Self.notificationServer))")
                }
            }
        }
        if let address = s.system.address {
            if let reason = s.system.reason {
                missing.append(s.system.everConnected ? "system bus \(address) went away: \(reason)" : "no system bus at \(address): \(reason)")
            } else if s.system.connected {
                if s.system.services[Self.logind] == false {
                    missing.append("no logind on the system bus (\(Self.logind))")
                } else if let problem = s.loginSessionProblem {
                    missing.append("no logind session to watch: \(problem)")
                }
            }
        }
        let health: String? = missing.isEmpty ? nil : missing.joined(separator: "; ")
        let changed = state.withLock { s in
            defer { s.health = .some(health) }
            return s.health != .some(health)
        }
        if changed { host.reportHealth(degraded: health) }
    }

    /// A notification we showed, so its actions and closing are reported.
    func shown(id: UInt32, key: String?) {
        state.withLock { $0.notifications[id] = key }
    }

    /// The `status` answer.
    func status() -> JSONValue {
        let s = snapshot
        func link(_ l: Link) -> JSONValue {
            guard let address = l.address else { return .null }
            var services = JSONObject()
            for (name, present) in l.services.sorted(by: { $0.key < $1.key }) { services[name] = .bool(present) }
            return ["address": .string(address), "connected": .bool(l.connected), "reason": l.reason.map(JSONValue.string) ?? .null,
                    "services": .object(services)]
        }
        return [
            "session_bus": link(s.session), "system_bus": link(s.system),
            "locked": .bool(s.locked), "idle": s.idle.map(JSONValue.bool) ?? .null,
            "login_session": s.loginSession.map(JSONValue.string) ?? .null,
            "notification_capabilities": .array(s.capabilities.sorted().map(JSONValue.string)),
        ]
    }
}
