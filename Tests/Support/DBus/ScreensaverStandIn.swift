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
    private let process: BusStandInProcess

    public init(bus: DBusSessionBus, directory: TemporaryDirectory) async throws {
        process = try await BusStandInProcess(name: Self.name, script: Self.script, file: "screensaver-standin", bus: bus, directory: directory)
    }

    /// Emits ActiveChanged(active).
    public func setActive(_ active: Bool) { process.send(active ? "active" : "inactive") }

    public func stop() { process.stop() }
}
