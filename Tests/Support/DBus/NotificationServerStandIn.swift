import Foundation

/// A stand-in for a notification server whose notifications a test can
/// "click": the real one (notification-daemon, `NotificationServer`) draws
/// on Xvfb where nobody clicks, and the plugin believes ActionInvoked and
/// NotificationClosed only from the owner of org.freedesktop.Notifications,
/// so a test cannot fake them with dbus-send. This python3-dbus program owns
/// the name, answers GetCapabilities ("actions", "body") and Notify (ids
/// from 1, as a fresh server counts), and sends ActionInvoked or
/// NotificationClosed from its own connection when the test says so.
public final class NotificationServerStandIn: @unchecked Sendable {
    public static let name = "org.freedesktop.Notifications"
    static let script = """
        import dbus, dbus.service, dbus.mainloop.glib, sys
        from gi.repository import GLib
        dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
        bus = dbus.bus.BusConnection(sys.argv[1])
        NAME = "org.freedesktop.Notifications"

        class Server(dbus.service.Object):
            next_id = 1
            @dbus.service.method(NAME, in_signature="", out_signature="as")
            def GetCapabilities(self):
                return ["actions", "body"]
            @dbus.service.method(NAME, in_signature="susssasa{sv}i", out_signature="u")
            def Notify(self, app, replaces, icon, summary, body, actions, hints, timeout):
                id = self.next_id
                self.next_id += 1
                print("Notify", id, summary, flush=True)
                return dbus.UInt32(id)
            @dbus.service.method(NAME, in_signature="", out_signature="ssss")
            def GetServerInformation(self):
                return ("stand-in", "proctord tests", "1", "1.2")
            @dbus.service.signal(NAME, signature="us")
            def ActionInvoked(self, id, key):
                pass
            @dbus.service.signal(NAME, signature="uu")
            def NotificationClosed(self, id, reason):
                pass

        server = Server(bus, "/org/freedesktop/Notifications")
        name = dbus.service.BusName(NAME, bus)
        print("owned", flush=True)

        def on_command(words):
            if words[0] == "action":
                server.ActionInvoked(dbus.UInt32(int(words[1])), words[2])
            elif words[0] == "closed":
                server.NotificationClosed(dbus.UInt32(int(words[1])), dbus.UInt32(int(words[2])))

        \(BusStandInProcess.glibCommandLoop)
        """
    private let process: BusStandInProcess

    public init(bus: DBusSessionBus, directory: TemporaryDirectory) async throws {
        process = try await BusStandInProcess(name: Self.name, script: Self.script, file: "notification-standin", bus: bus, directory: directory)
    }

    /// What it printed: each Notify it answered and each signal it sent.
    public var log: String { process.log }

    /// The person chose action `key` of notification `id`: ActionInvoked, from the server.
    public func invoke(_ id: Int, action key: String) { process.send("action \(id) \(key)") }

    /// NotificationClosed(id, reason), from the server.
    public func close(_ id: Int, reason: Int) { process.send("closed \(id) \(reason)") }

    public func stop() { process.stop() }
}
