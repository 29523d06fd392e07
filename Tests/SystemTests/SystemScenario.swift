import Foundation
import ProctorHost
import ProctorJSON
import ProctorTestSupport
import Testing

/// Every test that runs the system plugin runs inside this suite, one at a
/// time: they start processes and count the machine's, and on a small
/// machine they must not see each other's.
@Suite(.serialized) enum SystemIntegrationTests {}

/// One test's world: a real agent (this test process) supervising the system
/// plugin as a child process, a catalogue that points into the test's own
/// directory, and the events the agent publishes.
final class SystemScenario: AgentScenario, @unchecked Sendable {
    let agent: Agent
    let log: EventLog
    let directory: TemporaryDirectory

    /// Starts an agent with the system plugin and `config` (plus `others`
    /// plugins by library name); returns once its first look is published.
    static func start(
        config: JSONObject, directory: TemporaryDirectory = TemporaryDirectory("proctord-system"), others: [String] = []
    ) async throws -> SystemScenario {
        var builder = ConfigBuilder()
        builder.add(id: "system", library: "system", config: .object(config))
        for other in others { builder.add(id: other, library: other) }
        let agent = try makeAgent(builder, in: directory)
        let scenario = SystemScenario(agent: agent, log: EventLog(bus: agent.bus), directory: directory)
        try await agent.start()
        // The first look ends with the environment and the camera flags.
        guard await scenario.waitFor("system.virtual_camera") != nil else {
            await scenario.stop()
            throw HarnessError("the system plugin did not make its first look: \(scenario.log.states(of: "system"))")
        }
        return scenario
    }

    private init(agent: Agent, log: EventLog, directory: TemporaryDirectory) {
        self.agent = agent
        self.log = log
        self.directory = directory
    }

    /// `method` sent to the system plugin.
    func request(_ method: String) async throws -> JSONValue { try await request("system", method) }

    /// The pid of the plugin-host child running `library`.
    func pluginPid(_ library: String) -> Int32? {
        Processes.children(of: getpid()).first { Processes.commandLine($0).contains("libproctor-\(library).so") }
    }

    func stop() async { await agent.stopAll() }
}

/// A harmless program (a copy of sleep) placed where a test wants it, so a
/// catalogue can point at it.
struct PlacedProgram {
    let path: String

    init(copyOf source: String = "/bin/sleep", to path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try? FileManager.default.removeItem(atPath: path)
        // The file itself, not a link to it (/bin/sh is one): copied, a relative link would point nowhere.
        try FileManager.default.copyItem(atPath: URL(fileURLWithPath: source).resolvingSymlinksInPath().path, toPath: path)
        chmod(path, 0o755)
        self.path = URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL.path
    }

    /// Starts it (sleep's argument: 120 s); the caller ends it with `end`.
    /// Its stdin is a pipe kept open, for a copy of a program that reads it.
    func start(arguments: [String] = ["120"]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardInput = Pipe()
        try process.run()
        return process
    }
}

extension Process {
    /// Ends a program the test started: SIGKILL, as the test runner's children
    /// may inherit an ignored SIGTERM.
    func end() {
        kill(processIdentifier, SIGKILL)
        waitUntilExit()
    }
}

extension TemporaryDirectory {
    /// The directory as the kernel names it (/proc/PID/exe): no doubled slash, no symbolic link.
    var realPath: String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

/// The GNU build id `file` reports for a binary (as the plugin should read it).
func buildId(of path: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/file")
    process.arguments = ["-L", path]
    let out = Pipe()
    process.standardOutput = out
    try process.run()
    let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    guard let range = text.range(of: "BuildID[sha1]=") else { throw HarnessError("file(1) shows no build id for \(path): \(text)") }
    return String(text[range.upperBound...].prefix { $0.isHexDigit })
}

/// Runs a command to its end; returns its trimmed stdout, or nil when it cannot start.
func output(of command: String, _ arguments: [String]) -> String? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: command)
    process.arguments = arguments
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return nil }
    let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return text.trimmingCharacters(in: .whitespacesAndNewlines)
}
