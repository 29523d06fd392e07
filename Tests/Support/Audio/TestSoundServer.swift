import Foundation

/// The sound servers the audio tests run against: PulseAudio itself, and
/// PipeWire through pipewire-pulse (what most desktops run now). Both are
/// reached through the same libpulse protocol, so the same tests run on both.
public enum SoundServerKind: String, CaseIterable, Sendable {
    case pulseaudio, pipewire

    /// A fresh server of this kind in `directory`: one null sink, whose
    /// monitor is the default source (there is no sound card here).
    public func make(directory: TemporaryDirectory, sinkName: String = "proctor_test", startNow: Bool = true) throws -> any TestSoundServer {
        switch self {
        case .pulseaudio: try PulseAudioServer(directory: directory, sinkName: sinkName, startNow: startNow)
        case .pipewire: try PipeWireServer(directory: directory, sinkName: sinkName, startNow: startNow)
        }
    }
}

/// A private sound server for one test, which libpulse clients (the plugin,
/// pactl, paplay, parec) reach at `server`. It can be killed as a crash
/// would and started again on the same socket.
public protocol TestSoundServer: AnyObject, Sendable {
    var kind: SoundServerKind { get }
    var sinkName: String { get }
    /// The libpulse server string (PULSE_SERVER).
    var server: String { get }
    /// The environment every client of this server gets.
    var environment: [String: String?] { get }
    /// The test's directory, where client logs go.
    var directoryPath: String { get }
    /// What the server printed (every process of it).
    var log: String { get }
    /// Starts what is not running; returns once a client sees the sink as the default.
    func start() throws
    /// Kills the server as a crash would.
    func crash()
    func stop()
}

extension TestSoundServer {
    /// The monitor of the null sink: the default source.
    public var monitorName: String { sinkName + ".monitor" }

    /// Runs pactl against this server and returns its output; throws when it fails.
    @discardableResult
    public func pactl(_ arguments: [String]) throws -> String {
        try run("/usr/bin/pactl", arguments)
    }

    /// Runs a client program to its end (pactl, paplay) against this server.
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

    /// Starts a long-running client (parec) against this server; stop it to end it.
    public func spawn(_ executable: String, _ arguments: [String], log: String) throws -> SpawnedProcess {
        try SpawnedProcess(executable, arguments, environment: environment, log: directoryPath + "/" + log)
    }

    /// Loads a module (PulseAudio's, or pipewire-pulse's version of it) and returns its index.
    public func loadModule(_ name: String, _ arguments: String = "") throws -> Int {
        let out = try pactl(["load-module", name] + (arguments.isEmpty ? [] : arguments.split(separator: " ").map(String.init)))
        guard let index = Int(out.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw HarnessError("load-module \(name): unexpected answer \(out)")
        }
        return index
    }

    public func unloadModule(_ index: Int) throws { try pactl(["unload-module", String(index)]) }
}
