#if canImport(Glibc)
import Glibc
#endif

/// The string the call page puts into its document title so the plugins can
/// tell its window from every other: "proctord-" and 12 hex digits.
///
/// The screen and desktop plugins run in separate children of one agent and
/// must hand out the same marker without talking to each other, so it is
/// derived from the agent they belong to (its pid and start time, and the
/// boot): the same for every plugin of one agent run, different for the next
/// run. It identifies the window; it is not a secret (any X client can read
/// window titles).
public enum CallPageMarker {
    public static let prefix = "proctord-"

    /// The marker of the agent this process runs under (the parent of a
    /// plugin child; the process itself when a plugin is loaded in-process).
    public static func forThisAgent() -> String {
        let agent = getppid() > 1 ? getppid() : getpid()
        return derive(agentPID: agent, agentStart: startTime(of: agent) ?? "", bootID: file("/proc/sys/kernel/random/boot_id") ?? "")
    }

    static func derive(agentPID: Int32, agentStart: String, bootID: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a, 64 bit
        for byte in "\(agentPID)/\(agentStart)/\(bootID)".utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        let hex = String(hash & 0xFFFF_FFFF_FFFF, radix: 16)
        return prefix + String(repeating: "0", count: 12 - hex.count) + hex
    }

    /// Field 22 of /proc/<pid>/stat: when the process started, in clock ticks since boot.
    static func startTime(of pid: Int32) -> String? {
        guard let stat = file("/proc/\(pid)/stat"), let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 19 ? String(fields[19]) : nil
    }

    private static func file(_ path: String) -> String? {
        guard let handle = fopen(path, "r") else { return nil }
        defer { fclose(handle) }
        var buffer = [CChar](repeating: 0, count: 1024)
        let n = fread(&buffer, 1, buffer.count - 1, handle)
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            .trimmingSuffix { $0 == "\n" }
    }
}

extension String {
    func trimmingSuffix(while drop: (Character) -> Bool) -> String {
        var copy = self
        while let last = copy.last, drop(last) { copy.removeLast() }
        return copy
    }
}
