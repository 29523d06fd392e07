import ProctorJSON
import PluginABI

/// Where a loaded plugin's calls to the host go: the relay to the parent in
/// a plugin child, or the bus directly in-process. Called from any of the
/// plugin's threads.
public protocol PluginOutput: AnyObject, Sendable {
    /// Takes an event the plugin emitted; returns a PROCTOR_* status.
    func emit(topic: UnsafePointer<CChar>, data: UnsafePointer<CChar>) -> proctor_status_t
    func log(level: Int32, message: String)
    func reportHealth(degraded reason: String?)
}

/// The checks every emitted event passes before it is accepted, wherever the
/// plugin runs: a valid topic the plugin declared, one JSON object of at most
/// `maximumDataBytes` in valid UTF-8.
public struct EmitCheck: Sendable {
    public static let maximumDataBytes = 256 << 10

    public let manifest: PluginManifest

    public init(manifest: PluginManifest) { self.manifest = manifest }

    public enum Verdict: Equatable, Sendable {
        case accepted
        case invalid(String)
    }

    public func check(topic: UnsafeRawBufferPointer, data: UnsafeRawBufferPointer) -> Verdict {
        guard Topic.isValid(topic) else { return .invalid("invalid topic") }
        let name = String(decoding: topic, as: UTF8.self)
        guard manifest.declares(name) else { return .invalid("undeclared topic \(name)") }
        guard data.count <= Self.maximumDataBytes else {
            return .invalid("\(name): data of \(data.count) bytes exceeds \(Self.maximumDataBytes)")
        }
        guard JSONSyntax.isObject(data) else { return .invalid("\(name): data is not one JSON object in UTF-8") }
        return .accepted
    }
}
