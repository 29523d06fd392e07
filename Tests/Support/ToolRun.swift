#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Runs a command-line tool the tests drive a desktop with, to completion.
public enum ToolRun {
    /// Runs `executable` and returns its standard output; `environment` entries
    /// are set on top of the runner's (nil removes one). Throws when it fails or
    /// takes longer than `timeout` (then it is killed).
    public static func output(
        of executable: String, _ arguments: [String], environment: [String: String?], timeout: Duration = .seconds(10)
    ) throws -> Data {
        let tool = (executable as NSString).lastPathComponent
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read while it runs, so a chatty tool never blocks on a full pipe.
        let output = DispatchGroup()
        nonisolated(unsafe) var stdout = Data(), stderr = Data()
        output.enter()
        DispatchQueue.global().async { stdout = out.fileHandleForReading.readDataToEndOfFile(); output.leave() }
        output.enter()
        DispatchQueue.global().async { stderr = err.fileHandleForReading.readDataToEndOfFile(); output.leave() }
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline { usleep(5_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            output.wait()
            throw HarnessError("\(tool) \(arguments.joined(separator: " ")) took longer than \(timeout)")
        }
        process.waitUntilExit()
        output.wait()
        guard process.terminationStatus == 0 else {
            throw HarnessError("\(tool) \(arguments.joined(separator: " ")) exited with \(process.terminationStatus): \(String(decoding: stderr, as: UTF8.self))")
        }
        return stdout
    }
}
