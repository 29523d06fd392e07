#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A stand-in for systemd-logind. No logind runs on these machines (no
/// systemd as PID 1, no system bus), and a real one could not be told to
/// lock a session or to prepare for sleep without root anyway: this
/// python3-dbus program owns org.freedesktop.login1 on a private bus and
/// answers what the session plugin asks, the way logind does. Its Manager
/// knows one session, `sessionPath` (id `sessionID`), of one user:
/// GetSession(id) finds it, GetSessionByPID fails with NoSessionForPID as
/// for a process outside any session (a systemd user service), and
/// GetUser(uid) gives the user whose Display property names it. The Session
/// object serves LockedHint, IdleHint and IdleSinceHint through
/// org.freedesktop.DBus.Properties (Get, GetAll, PropertiesChanged) and
/// emits Lock / Unlock; the Manager emits PrepareForSleep. The test drives
/// it through a FIFO, one command a line.
public final class LogindStandIn: @unchecked Sendable {
    public static let name = "org.freedesktop.login1"
    public static let sessionID = "c2"
    public static let sessionPath = "/org/freedesktop/login1/session/c2"
    static let script = """
        import dbus, dbus.lowlevel, dbus.service, dbus.mainloop.glib, os, sys
        from gi.repository import GLib
        dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
        bus = dbus.bus.BusConnection(sys.argv[1])
        SESSION, SESSION_ID = "/org/freedesktop/login1/session/c2", "c2"
        USER = "/org/freedesktop/login1/user/_%d" % os.getuid()
        MANAGER_I, SESSION_I, USER_I = "org.freedesktop.login1.Manager", "org.freedesktop.login1.Session", "org.freedesktop.login1.User"
        PROPS = "org.freedesktop.DBus.Properties"

        def log(*words):
            print(*words, flush=True)

        class Manager(dbus.service.Object):
            @dbus.service.method(MANAGER_I, in_signature="s", out_signature="o")
            def GetSession(self, id):
                log("GetSession", id)
                if id != SESSION_ID:
                    raise dbus.DBusException("No session '%s' known" % id, name="org.freedesktop.login1.NoSuchSession")
                return dbus.ObjectPath(SESSION)
            @dbus.service.method(MANAGER_I, in_signature="u", out_signature="o")
            def GetSessionByPID(self, pid):
                log("GetSessionByPID", pid)
                raise dbus.DBusException("PID %d does not belong to any known session" % pid, name="org.freedesktop.login1.NoSessionForPID")
            @dbus.service.method(MANAGER_I, in_signature="u", out_signature="o")
            def GetUser(self, uid):
                log("GetUser", uid)
                if uid != os.getuid():
                    raise dbus.DBusException("No user %d known" % uid, name="org.freedesktop.login1.NoSuchUser")
                return dbus.ObjectPath(USER)
            @dbus.service.signal(MANAGER_I, signature="b")
            def PrepareForSleep(self, start):
                pass

        class Properties(dbus.service.Object):
            interface = None
            values = {}
            @dbus.service.method(PROPS, in_signature="ss", out_signature="v")
            def Get(self, interface, name):
                log("Get", interface, name)
                if interface != self.interface or name not in self.values:
                    raise dbus.DBusException("Unknown property %s.%s" % (interface, name), name="org.freedesktop.DBus.Error.UnknownProperty")
                return self.values[name]
            @dbus.service.method(PROPS, in_signature="s", out_signature="a{sv}")
            def GetAll(self, interface):
                log("GetAll", interface)
                return dbus.Dictionary(self.values if interface == self.interface else {}, signature="sv")
            @dbus.service.signal(PROPS, signature="sa{sv}as")
            def PropertiesChanged(self, interface, changed, invalidated):
                pass
            def change(self, **changed):
                self.values.update(changed)
                self.PropertiesChanged(self.interface, dbus.Dictionary(changed, signature="sv"), dbus.Array([], signature="s"))

        class User(Properties):
            interface = USER_I
            values = {"Display": dbus.Struct((SESSION_ID, dbus.ObjectPath(SESSION)), signature="so")}

        class Session(Properties):
            interface = SESSION_I
            values = {"Id": SESSION_ID, "LockedHint": dbus.Boolean(False), "IdleHint": dbus.Boolean(False), "IdleSinceHint": dbus.UInt64(0)}
            @dbus.service.signal(SESSION_I)
            def Lock(self):
                pass
            @dbus.service.signal(SESSION_I)
            def Unlock(self):
                pass

        manager = Manager(bus, "/org/freedesktop/login1")
        user = User(bus, USER)
        session = Session(bus, SESSION)
        name = dbus.service.BusName("org.freedesktop.login1", bus)
        log("owned")

        def on_command(words):
            if words[0] == "sleep":
                manager.PrepareForSleep(words[1] == "true")
            elif words[0] == "lock":
                session.Lock()
            elif words[0] == "unlock":
                session.Unlock()
            elif words[0] == "malformed":
                # PropertiesChanged keyed by integers (a{iv}) instead of names, from logind's own connection.
                message = dbus.lowlevel.SignalMessage(SESSION, PROPS, "PropertiesChanged")
                message.append(SESSION_I, dbus.Dictionary({1: dbus.Boolean(True)}, signature="iv"), dbus.Array([], signature="s"),
                               signature="sa{iv}as")
                bus.send_message(message)
            elif words[0] == "idle":
                session.change(IdleHint=dbus.Boolean(words[1] == "true"), IdleSinceHint=dbus.UInt64(int(words[2])))

        \(BusStandInProcess.glibCommandLoop)
        """
    private let process: BusStandInProcess

    public init(bus: DBusSessionBus, directory: TemporaryDirectory) async throws {
        process = try await BusStandInProcess(name: Self.name, script: Self.script, file: "logind-standin", bus: bus, directory: directory)
    }

    /// What it printed: each call it answered and each signal it sent.
    public var log: String { process.log }

    /// The Manager's PrepareForSleep(sleeping).
    public func prepareForSleep(_ sleeping: Bool) { send("sleep \(sleeping)") }

    /// The session's Lock or Unlock signal.
    public func lockSignal(_ locked: Bool) { send(locked ? "lock" : "unlock") }

    /// IdleHint and IdleSinceHint (µs since the epoch) changed, told through PropertiesChanged.
    public func setIdle(_ idle: Bool, sinceMicroseconds: UInt64) { send("idle \(idle) \(sinceMicroseconds)") }

    /// A PropertiesChanged of the session whose dict is keyed by integers (a{iv}): malformed, as a buggy or hostile owner could send.
    public func sendMalformedProperties() { send("malformed") }

    private func send(_ command: String) { process.send(command) }

    public func stop() { process.stop() }
}
