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
public final class PulseAudioServer: @unchecked Sendable {
    public let sinkName: String
    public let socketPath: String
    public var server: String { "unix:" + socketPath }
    /// The monitor of the null sink: the default source.
    public var monitorName: String { sinkName + ".monitor" }
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

    /// Runs pactl against this daemon and returns its output; throws when it fails.
    @discardableResult
    public func pactl(_ arguments: [String]) throws -> String {
        try run("/usr/bin/pactl", arguments)
    }

    /// Runs a client program to its end (pactl, paplay) against this daemon.
    @discardableResult
    public func run(_ executable: String, _ arguments: [String]) throws -> String {
        try runToEnd(executable, arguments, environment: environment)
    }

    /// Plays a WAV into the default sink and returns when it has been played.
    /// A short latency: paplay's default buffers two seconds ahead, which the
    /// null sink then takes as its own latency, so sound would reach the
    /// monitor seconds after it was written.
    public func play(_ file: String) throws {
        try run("/usr/bin/paplay", ["--latency-msec=30", file])
    }

    /// Starts a long-running client (parec) against this daemon; stop it to end it.
    public func spawn(_ executable: String, _ arguments: [String], log: String) throws -> SpawnedProcess {
        try SpawnedProcess(executable, arguments, environment: environment, log: directory.path + "/" + log)
    }

    /// Loads a module and returns its index.
    public func loadModule(_ name: String, _ arguments: String = "") throws -> Int {
        let out = try pactl(["load-module", name] + (arguments.isEmpty ? [] : arguments.split(separator: " ").map(String.init)))
        guard let index = Int(out.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw HarnessError("load-module \(name): unexpected answer \(out)")
        }
        return index
    }

    public func unloadModule(_ index: Int) throws { try pactl(["unload-module", String(index)]) }

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
