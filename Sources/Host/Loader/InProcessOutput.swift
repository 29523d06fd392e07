#if canImport(Glibc)
import Glibc
#endif
import PluginABI
import Logging

/// Host callbacks for a plugin loaded into this process (replays, tests and
/// benchmarks): events are checked like a child's and published straight
/// into the bus; `onEvent` sees each one as published, on the plugin's thread.
public final class InProcessOutput: PluginOutput {
    private let check: EmitCheck
    private let instanceID: String
    private let bus: EventBus
    private let logger: Logger
    private let onEvent: @Sendable (Event) -> Void

    public init(instanceID: String, manifest: PluginManifest, bus: EventBus, logger: Logger,
                onEvent: @escaping @Sendable (Event) -> Void = { _ in }) {
        self.check = EmitCheck(manifest: manifest)
        self.instanceID = instanceID
        self.bus = bus
        var logger = logger
        logger[metadataKey: "plugin"] = .string(instanceID)
        self.logger = logger
        self.onEvent = onEvent
    }

    public func emit(topic: UnsafePointer<CChar>, data: UnsafePointer<CChar>) -> proctor_status_t {
        let topicBytes = UnsafeRawBufferPointer(start: topic, count: strlen(topic))
        let dataBytes = UnsafeRawBufferPointer(start: data, count: strlen(data))
        if case .invalid(let why) = check.check(topic: topicBytes, data: dataBytes) {
            logger.warning("event refused: \(why)")
            return PROCTOR_INVALID
        }
        onEvent(bus.publish(plugin: instanceID, topic: String(cString: topic), data: String(cString: data)))
        return PROCTOR_OK
    }

    public func log(level: Int32, message: String) {
        logger.log(level: Logger.Level(syslog: level), "\(message)")
    }

    public func reportHealth(degraded reason: String?) {
        if let reason { logger.warning("degraded: \(reason)") } else { logger.info("running") }
    }
}
