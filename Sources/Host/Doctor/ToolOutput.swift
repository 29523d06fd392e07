import Foundation

/// What a system tool printed, for the doctor's checks: nil when the tool is
/// not installed, failed, or took longer than `timeoutSeconds` (killed then).
enum ToolOutput {
    static func run(_ tool: String, _ arguments: [String], environment: [String: String]? = nil, timeoutSeconds: Double = 5) -> String? {
        guard let (status, text) = capture(tool, arguments, environment: environment, timeoutSeconds: timeoutSeconds), status == 0 else { return nil }
        return text
    }

    /// What the tool printed whatever its exit status (systemctl is-active
    /// answers "inactive" with status 3); nil when it did not run or was killed.
    static func runAnyStatus(_ tool: String, _ arguments: [String], environment: [String: String]? = nil, timeoutSeconds: Double = 5) -> String? {
        capture(tool, arguments, environment: environment, timeoutSeconds: timeoutSeconds)?.text
    }

    private static func capture(
        _ tool: String, _ arguments: [String], environment: [String: String]?, timeoutSeconds: Double
    ) -> (status: Int32, text: String)? {
        guard let path = which(tool) else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let killer = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeoutSeconds, execute: killer)
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        killer.cancel()
        guard process.terminationReason == .exit else { return nil }
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// The full path of `tool` on PATH.
    static func which(_ tool: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(tool)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
