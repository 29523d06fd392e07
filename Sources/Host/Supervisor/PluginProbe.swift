import Foundation
import ProctorJSON

/// Reads a plugin library's manifest in a throwaway child
/// (`proctord plugin-host --describe`), so a library that is missing, built
/// for another ABI, or crashes while loading is reported without harm to the
/// agent.
public struct PluginProbe: Sendable {
    public let executable: String
    public var timeoutSeconds: Double = 15

    public init(executable: String) { self.executable = executable }

    public func describe(library: String) async -> Result<PluginManifest, PluginLoadError> {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: describeBlocking(library: library))
            }
        }
    }

    private func describeBlocking(library: String) -> Result<PluginManifest, PluginLoadError> {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["plugin-host", "--describe", "--library", library]
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch {
            return .failure(.cannotOpen(path: library, reason: "cannot run \(executable): \(error.localizedDescription)"))
        }
        let timer = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeoutSeconds, execute: timer)
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        timer.cancel()
        let text = String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if process.terminationReason == .uncaughtSignal {
            let name = ExitStatus.signalName(process.terminationStatus)
            return .failure(.crashedWhileLoading(path: library, reason: "killed by signal \(process.terminationStatus) (\(name))"))
        }
        guard let json = try? JSONParser.parse(text) else {
            return .failure(.crashedWhileLoading(path: library, reason: "exited with status \(process.terminationStatus) without a manifest"))
        }
        if let manifest = PluginManifest(json: json) { return .success(manifest) }
        // The child printed the load error's own words.
        return .failure(json["error"]?.stringValue.map(PluginLoadError.relayed)
            ?? .cannotOpen(path: library, reason: "unreadable manifest"))
    }
}
