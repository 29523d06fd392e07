import Foundation

/// `dbus-monitor` on a test's bus, watching the calls and signals of one
/// interface; its output is the evidence of what reached the bus.
public final class BusMonitor: @unchecked Sendable {
    private let process: SpawnedProcess

    /// Returns once the monitor is attached (its own NameAcquired is in its output).
    public init(bus: DBusSessionBus, interface: String, directory: TemporaryDirectory, name: String = "dbus-monitor.log") async throws {
        process = try SpawnedProcess("/usr/bin/dbus-monitor", ["--address", bus.address, "interface='\(interface)'"],
                                     log: directory.path + "/" + name)
        guard await eventually(timeout: .seconds(15), { process.log.contains("NameLost") || process.log.contains("NameAcquired") }) else {
            process.stop()
            throw HarnessError("dbus-monitor did not attach: \(process.log.suffix(500))")
        }
    }

    public var output: String { process.log }

    /// How many method calls of `member` the monitor saw.
    public func calls(_ member: String) -> [String] {
        output.components(separatedBy: "\nmethod call ").dropFirst().filter { $0.contains("member=\(member)\n") }
    }

    /// The unique name (":1.N") that sent the first call of `member` the monitor saw.
    public func sender(of member: String) -> String? {
        guard let call = calls(member).first, let start = call.range(of: "sender=") else { return nil }
        return String(call[start.upperBound...].prefix { !$0.isWhitespace })
    }

    public func stop() { process.stop() }

    deinit { stop() }
}
