import Foundation
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

    private func contents(_ name: String) throws -> String {
        let path = "\(procDir)/\(name)"
        do { return try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw PluginError("cannot read \(path): \(error.localizedDescription)")
        }
    }
}
