import PluginKit
import ProctorJSON

/// The example plugin in Swift: reports the machine's load so that a report
/// can tell a slow tracker from a busy computer. Short because PluginKit does
/// the C plumbing.
public final class SysInfoPlugin: Plugin {
    public static let description = PluginDescription(
        id: "sysinfo",
        name: "System load",
        version: "1.0.0",
        summary: "Reports CPU load and free memory so gaps in other signals can be explained.",
        topics: ["sysinfo.load"],
        configSchema: [
            "type": "object",
            "additionalProperties": false,
            "properties": [
                "interval_s": [
                    "type": "number", "minimum": 0.1, "maximum": 3600, "default": 10,
                    "description": "Time between two reports, in seconds.",
                ],
                "proc_dir": [
                    "type": "string", "default": "/proc",
                    "description": "Where procfs is mounted (tests point it elsewhere).",
                ],
            ],
        ])

    private let host: PluginHost
    private let interval: Double
    private let reader: LoadReader
    private var thread: PluginThread?

    public init(host: PluginHost, config: JSONValue) throws {
        self.host = host
        self.interval = config["interval_s"]?.doubleValue ?? 10
        self.reader = LoadReader(procDir: config["proc_dir"]?.stringValue ?? "/proc")
        _ = try reader.read()  // refuse to be created where /proc cannot be read
    }

    public func start() throws {
        let thread = PluginThread()
        thread.start(name: "sysinfo") { [host, reader, interval] stop in
            repeat {
                switch Result(catching: { try reader.read() }) {
                case .success(let load): host.emit("sysinfo.load", load.json)
                case .failure(let error): host.reportHealth(degraded: "\(error)")
                }
            } while !stop.wait(seconds: interval)
        }
        self.thread = thread
    }

    public func stop() {
        thread?.stop()
        thread = nil
    }

    public func handle(method: String, params: JSONValue?) throws -> JSONValue {
        guard method == "snapshot" else { throw PluginRequestError.unknownMethod(method) }
        return try reader.read().json
    }
}

@_cdecl("proctor_plugin_entry_v1")
public func proctorPluginEntry(_ major: UInt32, _ minor: UInt32) -> UnsafeRawPointer? {
    PluginExport.entry(SysInfoPlugin.self, hostMajor: major, hostMinor: minor)
}
