#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A stand-in for a desktop's screensaver (no desktop environment runs on
/// these machines): a python3-dbus program that owns
/// org.freedesktop.ScreenSaver on the test's bus and emits `ActiveChanged`
/// from that name when the test says so. It answers no method calls.
public final class ScreensaverStandIn: @unchecked Sendable {
    public static let name = "org.freedesktop.ScreenSaver"
    static let script = """
        import dbus, dbus.lowlevel, sys
        bus = dbus.bus.BusConnection(sys.argv[1])
        bus.request_name("org.freedesktop.ScreenSaver")
        print("owned", flush=True)
        with open(sys.argv[2]) as commands:
            for line in commands:
                message = dbus.lowlevel.SignalMessage("/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver", "ActiveChanged")
                message.append(line.strip() == "active", signature="b")
                bus.send_message(message)
                bus.flush()
                print("sent", line.strip(), flush=True)
        """
    private let process: SpawnedProcess
    private let commands: Int32

    public init(bus: DBusSessionBus, directory: TemporaryDirectory) async throws {
        let script = directory.write("screensaver-standin.py", Self.script)
        let fifo = directory.path + "/screensaver-commands"
        unlink(fifo)
        guard mkfifo(fifo, 0o600) == 0 else { throw HarnessError("mkfifo \(fifo): \(String(cString: strerror(errno)))") }
        // Read and write: opening never waits for the stand-in to open its end.
        commands = open(fifo, O_RDWR | O_CLOEXEC)
        process = try SpawnedProcess("/usr/bin/python3", ["-u", script, bus.address, fifo], log: directory.path + "/screensaver.log")
        guard await eventually(timeout: .seconds(15), { bus.hasOwner(Self.name) || !process.isRunning }), process.isRunning else {
            process.stop()
            throw HarnessError("the screensaver stand-in did not take \(Self.name): \(process.log.suffix(800))")
        }
    }

    /// Emits ActiveChanged(active).
    public func setActive(_ active: Bool) {
        let line = active ? "active\n" : "inactive\n"
        _ = line.withCString { write(commands, $0, strlen($0)) }
    }

    public func stop() { process.stop() }

    deinit {
        stop()
        close(commands)
    }
}
