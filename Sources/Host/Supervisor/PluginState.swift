import ProctorJSON

/// What `plugin.state` events say, in the protocol's words.
public struct PluginState: Sendable, Equatable {
    public enum Name: String, Sendable {
        case starting, running, degraded, crashed, held, stopping, stopped, failed
    }

    public var plugin: String
    public var name: Name
    public var reason: String?
    public var restarts: Int
    public var retryInMilliseconds: Int?

    public init(plugin: String, name: Name, reason: String? = nil, restarts: Int = 0, retryInMilliseconds: Int? = nil) {
        self.plugin = plugin
        self.name = name
        self.reason = reason
        self.restarts = restarts
        self.retryInMilliseconds = retryInMilliseconds
    }

    init(plugin: String, machine: SupervisorStateMachine) {
        self.plugin = plugin
        self.restarts = machine.restarts
        switch machine.state {
        case .idle, .starting: name = .starting
        case .running(nil): name = .running
        case .running(let reason?):
            name = .degraded
            self.reason = reason
        case .waiting(let reason, let delay, let crashLoop):
            name = crashLoop ? .held : .crashed
            self.reason = crashLoop ? "crash loop (\(machine.policy.crashLoopLimit) crashes within \(machine.policy.crashLoopWindowSeconds) s), last: \(reason)" : reason
            retryInMilliseconds = Int(delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000)
        case .stopping: name = .stopping
        case .stopped: name = .stopped
        }
    }

    public var json: JSONValue {
        var object: JSONObject = ["plugin": .string(plugin), "state": .string(name.rawValue), "restarts": .number(Double(restarts))]
        if let reason { object["reason"] = .string(reason) }
        if let retryInMilliseconds { object["retry_in_ms"] = .number(Double(retryInMilliseconds)) }
        return .object(object)
    }
}
