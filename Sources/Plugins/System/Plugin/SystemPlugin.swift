import PluginKit
import ProctorJSON

/// Watches the machine around the interview: catalogued programs (remote
/// control, screen recorders, assistants), virtual cameras, virtual machine
/// and remote session evidence, and tampering with the agent itself.
public final class SystemPlugin: Plugin {
    public static let description = PluginDescription(
        id: "system", name: "System", version: "0.1.0",
        summary: "Reports remote-control, recording and assistant programs, virtual cameras, virtual machine and remote session evidence, and tampering with the agent.",
        topics: ["system.process", "system.camera", "system.environment", "system.tamper",
                 "system.remote_control", "system.virtual_camera", "system.vm"],
        configSchema: SystemSettings.schema)

    private let host: PluginHost
    private let settings: SystemSettings
    private var monitor: SystemMonitor?
    private var thread: PluginThread?

    public init(host: PluginHost, config: JSONValue) throws {
        self.host = host
        settings = try SystemSettings(config: config)
    }

    public func start() throws {
        let monitor = SystemMonitor(settings: settings, host: host)
        if monitor.connectorMissing {
            throw PluginError("method is \"connector\" but the proc connector cannot be used: \(monitor.methodReason ?? "")")
        }
        let thread = PluginThread()
        thread.start(name: "system") { stop in monitor.run(stop) }
        self.monitor = monitor
        self.thread = thread
    }

    public func stop() {
        monitor?.wake()
        thread?.stop()
        thread = nil
        monitor = nil
    }

    public func handle(method: String, params: JSONValue?) throws -> JSONValue {
        switch method {
        case "status":
            guard let monitor else { throw PluginRequestError(code: "not_running", message: "the system plugin is not running") }
            return monitor.status
        case "catalogue":
            return .array(settings.catalogue.entries.map(\.json))
        default:
            throw PluginRequestError.unknownMethod(method)
        }
    }
}
