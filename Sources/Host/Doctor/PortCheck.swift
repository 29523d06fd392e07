import Foundation
import ProctorJSON

/// Whether the API's port on loopback is free, and when it is not, which
/// process listens on it (from /proc/net/tcp{,6} and the processes' open
/// sockets; another user's process shows as unknown).
public enum PortCheck {
    public struct Holder: Sendable, Equatable {
        public let pid: Int32?
        public let command: String?
    }

    /// nil when nothing listens on `port`.
    public static func holder(of port: Int) -> Holder? {
        let inodes = listeningInodes(port: port)
        guard !inodes.isEmpty else { return nil }
        let holders = SessionChecks.openFileHolders()
        for inode in inodes {
            if let first = holders["socket:[\(inode)]"]?.first { return Holder(pid: first.pid, command: first.command) }
        }
        return Holder(pid: nil, command: nil)
    }

    /// The inodes of the sockets that listen on `port` (any address).
    static func listeningInodes(port: Int) -> [String] {
        var inodes: [String] = []
        let portHex = String(format: "%04X", port)
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let text = try? String(contentsOfFile: table, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ")
                // sl local_address rem_address st ... inode (the 10th field)
                guard fields.count > 9, fields[3] == "0A", fields[1].hasSuffix(":" + portHex) else { continue }
                inodes.append(String(fields[9]))
            }
        }
        return inodes
    }

    public static func finding(port: Int, serviceActive: Bool) -> DoctorFinding {
        guard let holder = holder(of: port) else {
            return DoctorFinding("port", .ok, "127.0.0.1:\(port) is free", details: ["port": .number(Double(port)), "free": true])
        }
        let who = holder.pid.map { "\(holder.command ?? "?") (pid \($0))" } ?? "a process of another user"
        let details: JSONValue = [
            "port": .number(Double(port)), "free": false,
            "pid": holder.pid.map { .number(Double($0)) } ?? .null, "command": holder.command.map { .string($0) } ?? .null,
        ]
        if holder.command == "proctord" {
            return DoctorFinding("port", .ok, "127.0.0.1:\(port) is served by proctord (pid \(holder.pid.map { String($0) } ?? "?")): the agent runs",
                                 details: details)
        }
        if holder.command == "systemd" && serviceActive == false {
            return DoctorFinding("port", .ok, "127.0.0.1:\(port) is held by systemd for proctord.socket: the agent starts at the first connection",
                                 details: details)
        }
        return DoctorFinding(
            "port", .problem, "127.0.0.1:\(port) is taken by \(who)",
            advice: "stop that program, or give proctord another port (api.port in the config; the call page must know it)",
            details: details)
    }
}
