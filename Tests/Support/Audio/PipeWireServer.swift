#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A private PipeWire for one test, as a desktop runs it: the `pipewire`
/// daemon, WirePlumber (the session manager, which links streams to devices
/// and picks the defaults) and pipewire-pulse (the PulseAudio protocol, which
/// is what the plugin speaks), all as whoever runs the tests (root here) with
/// their own runtime, config and state directories and a private session bus
/// (WirePlumber wants one; CI has none). There is no sound card here: the
/// daemon's config makes one null sink, a `support.null-audio-sink` node,
/// whose monitor is the default source, so what a test plays into the sink is
/// what the plugin hears. WirePlumber's ALSA, Bluetooth, V4L2 and libcamera
/// monitors are off, so it never touches a device another test uses.
///
/// pipewire-pulse is `pipewire` run with a pulse config written here (Debian's
/// pipewire-pulse package is only that config, a symlink and user units that
/// would take over the pulse socket of a desktop user's session).
public final class PipeWireServer: TestSoundServer, @unchecked Sendable {
    public var kind: SoundServerKind { .pipewire }
    public let sinkName: String
    public let socketPath: String
    public var server: String { "unix:" + socketPath }
    public var directoryPath: String { directory.path }
    private let directory: TemporaryDirectory
    private let bus: DBusSessionBus
    private let pulseConfig: String
    private var busRunning = false
    private var core: SpawnedProcess?
    private var sessionManager: SpawnedProcess?
    private var pulse: SpawnedProcess?

    /// `startNow: false` only prepares the configs and the bus: the test starts the servers later.
    public init(directory: TemporaryDirectory, sinkName: String = "proctor_test", startNow: Bool = true) throws {
        self.directory = directory
        self.sinkName = sinkName
        socketPath = directory.path + "/pulse-native"
        bus = try DBusSessionBus(directory: directory, name: "pipewire-bus", startNow: false)
        let config = directory.path + "/config"
        for dir in ["/pipewire/pipewire.conf.d", "/wireplumber/main.lua.d", "/wireplumber/bluetooth.lua.d"] {
            try FileManager.default.createDirectory(atPath: config + dir, withIntermediateDirectories: true)
        }
        // The sink lives in the daemon, not in pipewire-pulse: it outlives a pipewire-pulse restart, as a device does.
        directory.write("config/pipewire/pipewire.conf.d/90-proctor-test-sink.conf", """
            context.objects = [
                { factory = adapter
                  args = { factory.name = support.null-audio-sink node.name = "\(sinkName)" media.class = Audio/Sink
                           audio.position = [ FL FR ] monitor.channel-volumes = true } }
            ]
            """)
        // 80-: after the packaged 50-*-config files set them, before 90-enable-all.lua reads them.
        directory.write("config/wireplumber/main.lua.d/80-proctor-test.lua", """
            alsa_monitor.enabled = false
            v4l2_monitor.enabled = false
            libcamera_monitor.enabled = false
            """)
        directory.write("config/wireplumber/bluetooth.lua.d/80-proctor-test.lua", "bluez_monitor.enabled = false\n")
        // Debian's pipewire-pulse.conf (its real-time module too, as a desktop
        // runs it), on this test's socket, without its client quirks.
        pulseConfig = directory.write("pipewire-pulse.conf", """
            context.spa-libs = {
                audio.convert.* = audioconvert/libspa-audioconvert
                support.*       = support/libspa-support
            }
            context.modules = [
                { name = libpipewire-module-rt args = { nice.level = -11 } flags = [ ifexists nofail ] }
                { name = libpipewire-module-protocol-native }
                { name = libpipewire-module-client-node }
                { name = libpipewire-module-adapter }
                { name = libpipewire-module-metadata }
                { name = libpipewire-module-protocol-pulse args = { } }
            ]
            pulse.properties = {
                server.address = [ "unix:\(socketPath)" ]
            }
            """)
        if startNow { try start() }
    }

    /// The environment every client of this PipeWire (and its daemons) gets.
    public var environment: [String: String?] {
        ["HOME": directory.path, "XDG_RUNTIME_DIR": directory.path, "XDG_CONFIG_HOME": directory.path + "/config",
         "XDG_STATE_HOME": directory.path + "/state", "XDG_DATA_HOME": directory.path + "/data",
         "PIPEWIRE_RUNTIME_DIR": directory.path, "PULSE_RUNTIME_PATH": directory.path + "/pulse-run", "PULSE_SERVER": server,
         "DBUS_SESSION_BUS_ADDRESS": bus.address, "DISPLAY": nil, "WAYLAND_DISPLAY": nil, "PIPEWIRE_REMOTE": nil]
    }

    /// Starts whichever of the daemon, WirePlumber and pipewire-pulse is not
    /// running; returns once pactl sees the sink as the default sink and its
    /// monitor as the default source (WirePlumber chose them: it is linking).
    public func start() throws {
        let deadline = ContinuousClock.now + .seconds(20)
        if !busRunning {
            try bus.start()
            busRunning = true
        }
        if core == nil {
            unlink(directory.path + "/pipewire-0")
            core = try SpawnedProcess("/usr/bin/pipewire", [], environment: environment, log: directory.path + "/pipewire.log")
            // Its clients (WirePlumber, pipewire-pulse) need its socket to connect.
            while access(directory.path + "/pipewire-0", F_OK) != 0 {
                guard core!.isRunning, ContinuousClock.now < deadline else { throw failure("pipewire did not open its socket") }
                usleep(20_000)
            }
        }
        if sessionManager == nil {
            sessionManager = try SpawnedProcess("/usr/bin/wireplumber", [], environment: environment, log: directory.path + "/wireplumber.log")
        }
        if pulse == nil {
            unlink(socketPath)
            pulse = try SpawnedProcess("/usr/bin/pipewire", ["-c", pulseConfig], environment: environment,
                                       log: directory.path + "/pipewire-pulse.log")
        }
        while ContinuousClock.now < deadline {
            guard [core, sessionManager, pulse].allSatisfy({ $0?.isRunning == true }) else { break }
            if access(socketPath, F_OK) == 0,
               (try? pactl(["get-default-sink"]))?.trimmingCharacters(in: .whitespacesAndNewlines) == sinkName,
               (try? pactl(["get-default-source"]))?.trimmingCharacters(in: .whitespacesAndNewlines) == monitorName {
                return
            }
            usleep(20_000)
        }
        throw failure("pipewire-pulse did not offer \(sinkName) as the default sink")
    }

    /// Stops everything and says why, with the end of each log.
    private func failure(_ what: String) -> HarnessError {
        stop()
        return HarnessError("\(what): \(log.suffix(1500))")
    }

    /// Kills pipewire-pulse alone, as a crash would: the daemon and the sink stay.
    public func crashPulse() {
        pulse?.crash()
        pulse = nil
    }

    /// Kills all three, as a crash of the user's audio would.
    public func crash() {
        for process in [pulse, sessionManager, core] { process?.crash() }
        (pulse, sessionManager, core) = (nil, nil, nil)
    }

    /// Stops all three and the bus.
    public func stop() {
        for process in [pulse, sessionManager, core] { process?.stop() }
        (pulse, sessionManager, core) = (nil, nil, nil)
        bus.stop()
        busRunning = false
    }

    public var log: String {
        ["pipewire", "wireplumber", "pipewire-pulse"].map { name in
            "--- \(name)\n" + ((try? String(contentsOfFile: directory.path + "/\(name).log", encoding: .utf8)) ?? "")
        }.joined(separator: "\n")
    }

    deinit { stop() }
}
