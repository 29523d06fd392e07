#if canImport(Glibc)
import Glibc
#endif
import PluginABI
import Synchronization

/// The plugin's host callbacks inside a plugin child: checks each event as
/// the host will, then queues it for the parent without blocking.
final class RelayOutput: PluginOutput {
    private let check: EmitCheck
    private let queue: OutboundQueue
    private let stopped = Atomic<Bool>(false)
    private let lastHealth = Mutex<String??>(nil)

    init(manifest: PluginManifest, queue: OutboundQueue) {
        self.check = EmitCheck(manifest: manifest)
        self.queue = queue
    }

    /// After this, emit answers PROCTOR_STOPPED (the plugin is being stopped).
    func markStopped() { stopped.store(true, ordering: .relaxed) }

    func emit(topic: UnsafePointer<CChar>, data: UnsafePointer<CChar>) -> proctor_status_t {
        if stopped.load(ordering: .relaxed) { return PROCTOR_STOPPED }
        let topicBytes = UnsafeRawBufferPointer(start: topic, count: strlen(topic))
        let dataBytes = UnsafeRawBufferPointer(start: data, count: strlen(data))
        guard check.check(topic: topicBytes, data: dataBytes) == .accepted else { return PROCTOR_INVALID }
        let accepted = queue.pushEvent { out in
            let length = UInt32(2 + topicBytes.count + dataBytes.count)
            out.append(contentsOf: Frame.bytes(of: length))
            out.append(Frame.Kind.event.rawValue)
            out.append(UInt8(topicBytes.count))
            out.append(contentsOf: topicBytes)
            out.append(contentsOf: dataBytes)
        }
        return accepted ? PROCTOR_OK : PROCTOR_DROPPED
    }

    func log(level: Int32, message: String) {
        let frame = Frame.log(level: level, message: String(message.prefix(4096)))
        _ = queue.pushEvent { frame.append(to: &$0) }
    }

    /// Only changes reach the parent, so a plugin repeating itself costs nothing.
    func reportHealth(degraded reason: String?) {
        let changed = lastHealth.withLock { last in
            if let previous = last, previous == reason { return false }
            last = .some(reason)
            return true
        }
        if changed {
            queue.setHealth(.health(reason == nil ? PROCTOR_HEALTH_RUNNING : PROCTOR_HEALTH_DEGRADED, reason: reason.map { String($0.prefix(1024)) }))
        }
    }
}
