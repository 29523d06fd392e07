#if canImport(Glibc)
import Glibc
#endif
import PluginKit
import ProctorJSON

/// One reading of the machine's load.
struct Load {
    var load1: Double
    var load5: Double
    var load15: Double
    var memAvailableKiB: Int
    var memTotalKiB: Int

    var json: JSONValue {
        [
            "load1": .number(load1), "load5": .number(load5), "load15": .number(load15),
            "mem_available_kib": .number(Double(memAvailableKiB)), "mem_total_kib": .number(Double(memTotalKiB)),
        ]
    }
}

/// Reads `loadavg` and `meminfo` from procfs.
struct LoadReader: Sendable {
    let procDir: String

    func read() throws -> Load {
        let loadavg = try contents("loadavg").split(separator: " ")
        guard loadavg.count >= 3, let l1 = Double(loadavg[0]), let l5 = Double(loadavg[1]),
            let l15 = Double(loadavg[2])
        else { throw PluginError("\(procDir)/loadavg: unexpected format") }
        var fields: [Substring: Int] = [:]
        for line in try contents("meminfo").split(separator: "\n") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            if parts.count >= 2, let value = Int(parts[1]) { fields[parts[0].dropLast()] = value }
        }
        guard let available = fields["MemAvailable"], let total = fields["MemTotal"] else {
            throw PluginError("\(procDir)/meminfo: MemAvailable or MemTotal missing")
        }
        return Load(load1: l1, load5: l5, load15: l15, memAvailableKiB: available, memTotalKiB: total)
    }

    /// The whole file, read with open and read: procfs files are small, and
    /// Foundation (8 MiB in the plugin's child) is not loaded for this alone.
    private func contents(_ name: String) throws -> String {
        let path = "\(procDir)/\(name)"
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw PluginError("cannot read \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = Glibc.read(fd, &chunk, chunk.count)
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw PluginError("cannot read \(path): \(String(cString: strerror(errno)))") }
            if n == 0 { return String(decoding: bytes, as: UTF8.self) }
            bytes += chunk[0..<n]
        }
    }
}
