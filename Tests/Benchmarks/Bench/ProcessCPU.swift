#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// CPU time of processes from /proc, in clock ticks (utime + stime; 10 ms on
/// Linux as built here): what the idle figures count.
enum ProcessCPU {
    /// utime + stime of a process so far; 0 when it is gone.
    static func ticks(_ pid: Int32) -> Double {
        guard let fields = statFields(pid) else { return 0 }
        return Double(fields[11])! + Double(fields[12])!
    }

    /// `ticks` spent over `seconds`, as a percentage of one core.
    static func percentOfCore(ticks: Double, seconds: Double) -> Double {
        ticks / Double(sysconf(Int32(_SC_CLK_TCK))) / seconds * 100
    }

    /// `root` and every process below it (children, their children, ...), now.
    static func tree(of root: Int32) -> [Int32] {
        var parents: [Int32: [Int32]] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry), let fields = statFields(pid), let parent = Int32(fields[1]) else { continue }
            parents[parent, default: []].append(pid)
        }
        var found = [root], index = 0
        while index < found.count {
            found += parents[found[index]] ?? []
            index += 1
        }
        return found
    }

    /// The fields of /proc/PID/stat after the command name (state first).
    private static func statFields(_ pid: Int32) -> [Substring]? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return nil }
        return stat[stat.index(after: close)...].split(separator: " ")
    }
}
