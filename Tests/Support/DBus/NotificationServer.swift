import Foundation

/// A real notification server on a test's session bus: Debian's
/// notification-daemon (GNOME's reference server, with actions) drawing on
/// the test's Xvfb display. Ready once it owns org.freedesktop.Notifications.
public final class NotificationServer: @unchecked Sendable {
    public static let executable = "/usr/lib/notification-daemon/notification-daemon"
    private let process: SpawnedProcess

    public init(bus: DBusSessionBus, display: String, directory: TemporaryDirectory) async throws {
        process = try SpawnedProcess(Self.executable, ["--replace"],
                                     environment: bus.environment.merging(["DISPLAY": display, "GDK_BACKEND": "x11"]) { $1 },
                                     log: directory.path + "/notification-daemon.log")
        guard await eventually(timeout: .seconds(20), { bus.hasOwner("org.freedesktop.Notifications") || !process.isRunning }),
              process.isRunning else {
            process.stop()
            throw HarnessError("notification-daemon did not take org.freedesktop.Notifications: \(process.log.suffix(800))")
        }
    }

    public func stop() { process.stop() }

    deinit { stop() }
}
