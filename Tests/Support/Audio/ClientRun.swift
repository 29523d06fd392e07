import Foundation

/// Runs a short-lived program (pactl, paplay, sox, espeak-ng) to its end and
/// returns what it printed; throws with that output when it fails.
/// `environment` entries are set on top of the runner's (nil removes one).
@discardableResult
func runToEnd(_ executable: String, _ arguments: [String], environment: [String: String?] = [:]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    for (key, value) in environment { env[key] = value }
    process.environment = env
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let text = String(decoding: data, as: UTF8.self)
    guard process.terminationStatus == 0 else {
        throw HarnessError("\(executable) \(arguments.joined(separator: " ")) failed (\(process.terminationStatus)): \(text)")
    }
    return text
}
