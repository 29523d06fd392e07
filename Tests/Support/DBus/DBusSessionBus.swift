#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A private session bus for one test: `dbus-daemon` with its own config,
/// listening on a socket in the test's directory (never the machine's bus).
/// It can be killed and started again at the same address, to test what the
/// session plugin does when the bus goes away.
public final class DBusSessionBus: @unchecked Sendable {
    public let socketPath: String
    public var address: String { "unix:path=" + socketPath }
    private let directory: TemporaryDirectory
    private let name: String
    private let config: String
    private var process: SpawnedProcess?

    /// `name` tells apart two buses in one test's directory (its socket, config and log).
    public init(directory: TemporaryDirectory, name: String = "session-bus", startNow: Bool = true) throws {
        self.directory = directory
        self.name = name
        socketPath = directory.path + "/" + name
        // The session bus's usual policy: one user, everything allowed, monitoring included.
        config = directory.write("dbus-\(name).conf", """
            <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
             "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
            <busconfig>
              <type>session</type>
              <listen>unix:path=\(socketPath)</listen>
              <auth>EXTERNAL</auth>
              <policy context="default">
                <allow send_destination="*" eavesdrop="true"/>
                <allow eavesdrop="true"/>
                <allow own="*"/>
              </policy>
            </busconfig>
            """)
        if startNow { try start() }
    }

    /// Starts the daemon; returns once it answers on its socket.
    public func start() throws {
        precondition(process == nil, "stop or crash the bus first")
        unlink(socketPath)
        let daemon = try SpawnedProcess("/usr/bin/dbus-daemon", ["--config-file=\(config)", "--nofork", "--nopidfile", "--nosyslog"],
                                        log: directory.path + "/dbus-daemon-\(name).log")
        process = daemon
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline && daemon.isRunning {
            if access(socketPath, F_OK) == 0, (try? call("org.freedesktop.DBus.GetId")) != nil { return }
            usleep(20_000)
        }
        daemon.stop()
        process = nil
        throw HarnessError("dbus-daemon did not start: \(daemon.log.suffix(800))")
    }

    /// Calls a method of the bus daemon itself with dbus-send and returns its printed reply.
    @discardableResult
    public func call(_ method: String, _ arguments: [String] = []) throws -> String {
        try runToEnd("/usr/bin/dbus-send", ["--bus=\(address)", "--print-reply", "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus", method] + arguments)
    }

    /// Whether a program owns `name` on this bus now.
    public func hasOwner(_ name: String) -> Bool {
        (try? call("org.freedesktop.DBus.NameHasOwner", ["string:\(name)"]))?.contains("boolean true") == true
    }

    /// Emits a signal with dbus-send (from a sender of its own): to everyone
    /// whose match rules take it, or only to the connection `destination`
    /// (a unique name), which no match rule filters.
    public func signal(path: String, _ member: String, _ arguments: [String], destination: String? = nil) throws {
        let to = destination.map { ["--dest=\($0)"] } ?? []
        try runToEnd("/usr/bin/dbus-send", ["--bus=\(address)", "--type=signal"] + to + [path, member] + arguments)
    }

    /// The environment a client of this bus gets.
    public var environment: [String: String?] { ["DBUS_SESSION_BUS_ADDRESS": address] }

    /// Kills the daemon as a crash would.
    public func crash() {
        process?.crash()
        process = nil
    }

    public func stop() {
        process?.stop()
        process = nil
    }

    deinit { stop() }
}
