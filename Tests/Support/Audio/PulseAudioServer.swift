#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A private PulseAudio daemon for one test. There is no sound card here:
/// the daemon has one null sink, and that sink's monitor is the default
/// source, so what a test plays into the sink is what the plugin hears. It
/// runs as whoever runs the tests (root here, which PulseAudio warns about
/// but allows outside --system), with its own runtime and state directories,
/// and listens on its own socket with anonymous auth; clients reach it through
/// `server` (PULSE_SERVER). It can be killed and started again on the same socket.
public final class PulseAudioServer: TestSoundServer, @unchecked Sendable {
    public var kind: SoundServerKind { .pulseaudio }
    public let sinkName: String
    public let socketPath: String
    public var server: String { "unix:" + socketPath }
    public var directoryPath: String { directory.path }
    private let directory: TemporaryDirectory
    private var process: SpawnedProcess?

    /// `startNow: false` only picks the socket: the test starts the daemon later.
    public init(directory: TemporaryDirectory, sinkName: String = "proctor_test", startNow: Bool = true) throws {
        self.directory = directory
        self.sinkName = sinkName
        socketPath = directory.path + "/pulse-native"
        if startNow { try start() }
    }

    public func start() throws {
        precondition(process == nil, "stop or crash the daemon first")
        unlink(socketPath)
        let daemon = try SpawnedProcess(
            "/usr/bin/pulseaudio",
            ["--daemonize=no", "-n", "--exit-idle-time=-1", "--system=false", "--use-pid-file=no", "--disallow-exit",
             "--log-target=stderr", "--load=module-native-protocol-unix auth-anonymous=1 socket=\(socketPath)",
             "--load=module-null-sink sink_name=\(sinkName)"],
            environment: environment, log: directory.path + "/pulseaudio.log")
        process = daemon
        // Ready when a client sees the sink (the socket exists a moment before the sink is loaded).
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            guard daemon.isRunning else { break }
            if access(socketPath, F_OK) == 0, (try? pactl(["list", "short", "sinks"]))?.contains(sinkName) == true { return }
            usleep(20_000)
        }
        daemon.stop()
        process = nil
        throw HarnessError("pulseaudio did not start: \(daemon.log.suffix(800))")
    }

    /// The environment every client of this daemon (and the daemon) gets.
    public var environment: [String: String?] {
        ["HOME": directory.path, "XDG_RUNTIME_DIR": directory.path, "PULSE_RUNTIME_PATH": directory.path + "/pulse-run",
         "PULSE_STATE_PATH": directory.path + "/pulse-state", "PULSE_SERVER": server, "DISPLAY": nil, "DBUS_SESSION_BUS_ADDRESS": nil]
    }

    /// Kills the daemon as a crash would.
    public func crash() {
        process?.crash()
        process = nil
    }

    public func stop() {
        process?.stop()
        process = nil
    }

    public var log: String { process?.log ?? ((try? String(contentsOfFile: directory.path + "/pulseaudio.log", encoding: .utf8)) ?? "") }

    deinit { stop() }
}
