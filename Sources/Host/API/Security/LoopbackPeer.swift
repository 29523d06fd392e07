#if canImport(Glibc)
import Glibc
#endif
import NIOCore

/// Who is on the other end of a loopback TCP connection. Both ends of such a
/// connection live on this machine, so the kernel's socket table
/// (/proc/net/tcp, /proc/net/tcp6) lists the client's socket with the uid
/// that owns it: the agent serves its own user and refuses every other.
///
/// The client's row is found by the whole connection, both addresses and
/// both ports. Ports alone are ambiguous: another user who binds 127.0.0.3
/// to the agent's port and connects to 127.0.0.1 makes a connection whose
/// two ports are equal, and the agent's own end of it would match as well.
public enum LoopbackPeer {
    /// One end of a TCP connection: its address as 16 bytes (IPv4 as
    /// ::ffff:a.b.c.d, as /proc/net/tcp6 writes it) and its port.
    public struct Endpoint: Sendable, Equatable, CustomStringConvertible {
        public let address: [UInt8]
        public let port: Int

        public init(address: [UInt8], port: Int) {
            self.address = address.count == 4 ? [UInt8](repeating: 0, count: 10) + [0xFF, 0xFF] + address : address
            self.port = port
        }

        /// Nil for anything but an IP socket address.
        public init?(_ socket: SocketAddress?) {
            guard let socket, let port = socket.port else { return nil }
            switch socket {
            case .v4(let ip): self.init(address: withUnsafeBytes(of: ip.address.sin_addr) { Array($0) }, port: port)
            case .v6(let ip): self.init(address: withUnsafeBytes(of: ip.address.sin6_addr) { Array($0) }, port: port)
            case .unixDomainSocket: return nil
            }
        }

        public var description: String { address.map { String($0) }.joined(separator: ".") + ":\(port)" }
    }

    /// The uid owning the client's socket of the connection from `client` to
    /// `server`, or nil when the kernel lists no such socket.
    public static func uid(client: Endpoint, server: Endpoint, procNet: String = "/proc/net") -> uid_t? {
        for table in ["tcp", "tcp6"] {
            guard let text = try? readWholeFile("\(procNet)/\(table)") else { continue }
            if let uid = uid(in: String(decoding: text, as: UTF8.self), client: client, server: server) { return uid }
        }
        return nil
    }

    /// Finds the row whose local end is the client and remote end the server.
    /// Rows: `sl local rem st queues tr retrnsmt uid timeout inode`.
    public static func uid(in table: String, client: Endpoint, server: Endpoint) -> uid_t? {
        for line in table.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > 7, endpoint(fields[1]) == client, endpoint(fields[2]) == server else { continue }
            return uid_t(fields[7])
        }
        return nil
    }

    /// `0100007F:B9FF`: the address as 32-bit words, each printed as the
    /// kernel holds it in memory (so their bytes come back with a native
    /// load), then the port in hex.
    static func endpoint(_ field: Substring) -> Endpoint? {
        let parts = field.split(separator: ":")
        guard parts.count == 2, let port = Int(parts[1], radix: 16), parts[0].count == 8 || parts[0].count == 32 else { return nil }
        var bytes: [UInt8] = []
        var rest = parts[0]
        while !rest.isEmpty {
            guard let word = UInt32(rest.prefix(8), radix: 16) else { return nil }
            withUnsafeBytes(of: word) { bytes += $0 }
            rest = rest.dropFirst(8)
        }
        return Endpoint(address: bytes, port: port)
    }
}
