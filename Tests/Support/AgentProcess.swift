import Foundation
import ProctorJSON
import Synchronization

/// A real `proctord run` started by a test, with its stdout events and
/// stderr log collected as they arrive. Killed when released.
public final class AgentProcess: @unchecked Sendable {
    public let process = Process()
    private let collected = Mutex<(events: [JSONValue], log: [String])>(([], []))
    private let readers = DispatchGroup()

    /// Starts `proctord <arguments>`; `environment` entries are added to (or,
    /// with a nil value, removed from) the test's own environment. A
    /// `launcher` (e.g. systemd-socket-activate and its options) runs first
    /// and must exec proctord in its own process. `executable`: another program
    /// of this package run the same way (`proctord-call`).
    public init(
        arguments: [String], environment: [String: String?] = [:], launcher: [String] = [], executable: String = TestBuild.proctord
    ) throws {
        process.executableURL = URL(fileURLWithPath: launcher.first ?? executable)
        process.arguments = launcher.isEmpty ? arguments : Array(launcher.dropFirst()) + [executable] + arguments
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try ParentBoundLaunch.run(process)
        collect(out.fileHandleForReading) { line in
            if let event = try? JSONParser.parse(line) { self.collected.withLock { $0.events.append(event) } }
        }
        collect(err.fileHandleForReading) { line in self.collected.withLock { $0.log.append(line) } }
    }

    public var pid: Int32 { process.processIdentifier }
    public var events: [JSONValue] { collected.withLock { $0.events } }
    public var log: [String] { collected.withLock { $0.log } }

    /// Waits until an event satisfies `match`; returns it, or nil on timeout.
    public func waitForEvent(timeout: Duration = .seconds(15), _ match: (JSONValue) -> Bool) async -> JSONValue? {
        var found: JSONValue?
        _ = await eventually(timeout: timeout) {
            found = events.first(where: match)
            return found != nil
        }
        return found
    }

    public func waitForLog(timeout: Duration = .seconds(15), containing text: String) async -> Bool {
        await eventually(timeout: timeout) { log.contains { $0.contains(text) } }
    }

    public func signal(_ number: Int32) { kill(pid, number) }

    /// The local API's port, from the log line that announces it.
    public func apiPort(timeout: Duration = .seconds(15)) async -> Int? {
        guard await waitForLog(timeout: timeout, containing: "local API on ws://127.0.0.1:") else { return nil }
        let line = log.first { $0.contains("local API on ws://127.0.0.1:") } ?? ""
        return line.components(separatedBy: "ws://127.0.0.1:").dropFirst().first.flatMap { Int($0.prefix { $0.isNumber }) }
    }

    /// The newest pairing code the agent logged, without its space.
    public var pairingCode: String? {
        log.last { $0.contains("pairing code: ") }.map { line in
            String(line.split(separator: "pairing code: ")[1].prefix(7)).replacingOccurrences(of: " ", with: "")
        }
    }

    /// Waits for the process to exit; returns its status, or nil on timeout.
    public func waitForExit(timeout: Duration = .seconds(15)) async -> Int32? {
        guard await eventually(timeout: timeout, { !process.isRunning }) else { return nil }
        await withCheckedContinuation { continuation in readers.notify(queue: .global()) { continuation.resume() } }
        return process.terminationStatus
    }

    private func collect(_ handle: FileHandle, _ line: @escaping @Sendable (String) -> Void) {
        readers.enter()
        let thread = Thread { [readers] in
            var pending = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                pending.append(chunk)
                while let newline = pending.firstIndex(of: 0x0A) {
                    line(String(decoding: pending[pending.startIndex..<newline], as: UTF8.self))
                    pending.removeSubrange(pending.startIndex...newline)
                }
            }
            readers.leave()
        }
        thread.start()
    }

    deinit {
        if process.isRunning { kill(pid, SIGKILL) }
    }
}
