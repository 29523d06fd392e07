#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LinuxShim
import ProctorJSON

/// Reads a plugin library's manifest in a throwaway child
/// (`proctord-plugin-host --describe`), so a library that is missing, built
/// for another ABI, crashes or hangs while loading is reported without harm
/// to the agent.
public struct PluginProbe: Sendable {
    /// `proctord-plugin-host` (see `PluginHostExecutable`).
    public let executable: String
    /// Starts the probes from a thread that outlives them, so they die with the agent.
    public let spawner: ProcessSpawner
    public var timeoutSeconds: Double = Self.loadTimeoutSeconds
    /// How long a library may take to load before it counts as hung (here and
    /// for the agent's own children, whose hello is the probe: `LoadingChildren`).
    public static let loadTimeoutSeconds: Double = 15
    /// A manifest is a few KiB; a library printing more is not answering.
    static let maximumOutput = 1 << 20

    public init(executable: String, spawner: ProcessSpawner) {
        self.executable = executable
        self.spawner = spawner
    }

    public func describe(library: String) async -> Result<PluginManifest, PluginLoadError> {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: describeBlocking(library: library))
            }
        }
    }

    private func describeBlocking(library: String) -> Result<PluginManifest, PluginLoadError> {
        var output: [Int32] = [-1, -1]
        guard linux_pipe_cloexec(&output) == 0 else {
            return .failure(.cannotOpen(path: library, reason: "pipe2: \(String(cString: strerror(errno)))"))
        }
        let devNull = open("/dev/null", O_WRONLY | O_CLOEXEC)
        defer { close(devNull) }
        let pid: pid_t
        do {
            pid = try spawner.spawn(.init(
                executable: executable,
                arguments: ["--describe", "--library", library, "--parent", String(getpid())],
                descriptors: [(child: Int32(1), parent: output[1]), (child: Int32(2), parent: devNull)]))
        } catch {
            close(output[0]); close(output[1])
            return .failure(.cannotOpen(path: library, reason: "cannot run \(executable): \(error)"))
        }
        close(output[1])
        let (bytes, finished) = Self.read(output[0], until: .now() + timeoutSeconds)
        close(output[0])
        // The probe leads its own process group: whatever it forked goes with it.
        if !finished { _ = kill(-pid, SIGKILL) }
        var raw: Int32 = 0
        while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
        guard finished else { return .failure(.hungWhileLoading(path: library, seconds: Int(timeoutSeconds.rounded()))) }
        let status = ExitStatus(raw: raw)
        if status.signal != nil { return .failure(.crashedWhileLoading(path: library, reason: status.description)) }
        let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let json = try? JSONParser.parse(text) else {
            return .failure(.crashedWhileLoading(path: library, reason: "\(status.description) without a manifest"))
        }
        if let manifest = PluginManifest(json: json) { return .success(manifest) }
        // The child printed the load error's own words.
        return .failure(json["error"]?.stringValue.map(PluginLoadError.relayed)
            ?? .cannotOpen(path: library, reason: "unreadable manifest"))
    }

    /// Reads `fd` to its end; `finished` is false when the deadline passed or
    /// the output grew past what a manifest needs.
    private static func read(_ fd: Int32, until deadline: DispatchTime) -> (bytes: [UInt8], finished: Bool) {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while bytes.count <= maximumOutput {
            let left = Int64(deadline.uptimeNanoseconds) - Int64(DispatchTime.now().uptimeNanoseconds)
            guard left > 0 else { return (bytes, false) }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(min(left / 1_000_000 + 1, Int64(Int32.max))))
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { continue }
            let n = Glibc.read(fd, &chunk, chunk.count)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return (bytes, true) }
            bytes += chunk[0..<n]
        }
        return (bytes, false)
    }
}
