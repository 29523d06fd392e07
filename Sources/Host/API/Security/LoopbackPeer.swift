#if canImport(Glibc)
import Glibc
#endif

/// Who is on the other end of a loopback TCP connection. Both ends of such a
/// connection live on this machine, so the kernel's socket table
/// (/proc/net/tcp, /proc/net/tcp6) lists the client's socket with the uid
/// that owns it: the agent serves its own user and refuses every other.
public enum LoopbackPeer {
    /// The uid owning the socket at `clientPort` that is connected to
    /// `serverPort`, or nil when no such socket is listed.
    public static func uid(clientPort: Int, serverPort: Int, procNet: String = "/proc/net") -> uid_t? {
        for table in ["tcp", "tcp6"] {
            guard let text = try? readWholeFile("\(procNet)/\(table)") else { continue }
            if let uid = uid(in: String(decoding: text, as: UTF8.self), clientPort: clientPort, serverPort: serverPort) {
                return uid
            }
        }
        return nil
    }

    /// Finds the row whose local port is the client's and remote port the
    /// server's. Rows: `sl local rem st queues tr retrnsmt uid timeout inode`.
    public static func uid(in table: String, clientPort: Int, serverPort: Int) -> uid_t? {
        for line in table.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > 7, port(of: fields[1]) == clientPort, port(of: fields[2]) == serverPort,
                  isLoopback(fields[1]), isLoopback(fields[2])
            else { continue }
            return uid_t(fields[7])
        }
        return nil
    }

    private static func port(of address: Substring) -> Int? {
        address.split(separator: ":").last.flatMap { Int($0, radix: 16) }
    }

    /// 127.0.0.0/8 in /proc's little-endian hex (`0100007F`), ::1, or
    /// ::ffff:127.x.x.x.
    private static func isLoopback(_ address: Substring) -> Bool {
        guard let host = address.split(separator: ":").first else { return false }
        switch host.count {
        case 8: return host.hasSuffix("7F")
        case 32:
            return host == "00000000000000000000000001000000"
                || (host.hasPrefix("0000000000000000FFFF0000") && host.hasSuffix("7F"))
        default: return false
        }
    }
}
