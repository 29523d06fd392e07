import PluginABI
import ProctorJSON

/// The host as a Swift plugin sees it: emit events, log, report health.
/// Safe to use from any thread (the C functions behind it are thread-safe).
public struct PluginHost: @unchecked Sendable {
    private let host: UnsafePointer<proctor_host_t>

    init(_ host: UnsafePointer<proctor_host_t>) { self.host = host }

    public enum EmitResult: Sendable, Equatable {
        case sent, dropped, invalid, stopped
    }

    /// Publishes an event; `data` must be a JSON object.
    @discardableResult
    public func emit(_ topic: String, _ data: JSONValue) -> EmitResult {
        emit(topic, json: JSONWriter.compact(data))
    }

    /// Publishes an event whose data the caller already wrote as a JSON object.
    @discardableResult
    public func emit(_ topic: String, json: String) -> EmitResult {
        let status = host.pointee.emit!(host, topic, json)
        switch status {
        case PROCTOR_OK: return .sent
        case PROCTOR_DROPPED: return .dropped
        case PROCTOR_STOPPED: return .stopped
        default: return .invalid
        }
    }

    public enum LogLevel: Int32, Sendable {
        case error = 3, warning = 4, notice = 5, info = 6, debug = 7
    }

    public func log(_ level: LogLevel, _ message: String) {
        host.pointee.log!(host, level.rawValue, message)
    }

    /// Tells the host the plugin works (`reason == nil`) or is blind to
    /// something, and why.
    public func reportHealth(degraded reason: String?) {
        host.pointee.report_health!(host, reason == nil ? PROCTOR_HEALTH_RUNNING : PROCTOR_HEALTH_DEGRADED, reason)
    }

    /// Where the agent keeps state, runtime files and shipped data, when the
    /// host offers the paths extension.
    public var paths: (state: String, runtime: String, data: String)? {
        guard let raw = host.pointee.get_extension!(host, PROCTOR_HOST_EXT_PATHS) else { return nil }
        let paths = raw.assumingMemoryBound(to: proctor_host_paths_t.self).pointee
        return (String(cString: paths.state_dir), String(cString: paths.runtime_dir), String(cString: paths.data_dir))
    }
}
