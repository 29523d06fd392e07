#if canImport(Glibc)
import Glibc
#endif
import ProctorJSON

/// Which application a window belongs to, as far as X tells: WM_CLASS, and
/// the process behind _NET_WM_PID when the client runs on this machine, or
/// else the process the X server knows from the client's socket (X-Resource).
public struct AppIdentity: Equatable, Sendable {
    public var className: String?
    public var instanceName: String?
    public var processID: Int32?
    /// The process's name from /proc/<pid>/comm, eg "chromium".
    public var processName: String?

    public init(className: String? = nil, instanceName: String? = nil, processID: Int32? = nil, processName: String? = nil) {
        self.className = className
        self.instanceName = instanceName
        self.processID = processID
        self.processName = processName
    }

    public static let unknown = AppIdentity()

    public var json: JSONValue {
        var object: JSONObject = [:]
        object["class"] = className.map(JSONValue.string) ?? .null
        object["instance"] = instanceName.map(JSONValue.string) ?? .null
        object["pid"] = processID.map { .number(Double($0)) } ?? .null
        object["process"] = processName.map(JSONValue.string) ?? .null
        return .object(object)
    }

    /// The name a process gave itself (/proc/<pid>/comm), nil when it is gone.
    public static func processName(of pid: Int32, procDirectory: String = "/proc") -> String? {
        guard let handle = fopen("\(procDirectory)/\(pid)/comm", "r") else { return nil }
        defer { fclose(handle) }
        var buffer = [CChar](repeating: 0, count: 64)
        guard fgets(&buffer, Int32(buffer.count), handle) != nil else { return nil }
        let name = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }.trimmingSuffix { $0 == "\n" }
        return name.isEmpty ? nil : name
    }
}
