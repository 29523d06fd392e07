#if canImport(Glibc)
import Glibc
#endif
import LinuxShim
import NIOCore

/// Who is on the other end of a loopback TCP connection. Both ends of such a
/// connection live on this machine, so the kernel knows the client's socket
/// and the uid that owns it: the agent serves its own user and refuses every
/// other. The socket is asked for by its exact address pair through netlink
/// socket diagnostics, which costs the same however many sockets the machine
/// holds; /proc/net/tcp, which must be read whole, is the fallback where
/// netlink is refused.
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

        static let mappedPrefix: [UInt8] = [UInt8](repeating: 0, count: 10) + [0xFF, 0xFF]

        public init(address: [UInt8], port: Int) {
            self.address = address.count == 4 ? Self.mappedPrefix + address : address
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

    /// What the kernel's socket diagnostics said of one socket.
    public enum Answer: Sendable, Equatable {
        case owner(uid_t)
        case notFound
        /// Netlink could not be used; the text says why (errno's words).
        case unavailable(String)
    }

    /// Asks the kernel (netlink NETLINK_SOCK_DIAG, the request `ss` makes)
    /// for the owner of the client's socket of the connection from `client`
    /// to `server`: one exact lookup, never a scan.
    public static func netlinkOwner(client: Endpoint, server: Endpoint) -> Answer {
        let mapped = client.address.prefix(12) == Endpoint.mappedPrefix[...] && server.address.prefix(12) == Endpoint.mappedPrefix[...]
        let family = mapped ? AF_INET : AF_INET6
        let local = mapped ? Array(client.address.suffix(4)) : client.address
        let remote = mapped ? Array(server.address.suffix(4)) : server.address
        var uid: UInt32 = 0
        switch linux_tcp_socket_owner(family, local, Int32(client.port), remote, Int32(server.port), &uid) {
        case 0: return .owner(uid)
        case 1: return .notFound
        default: return .unavailable(String(cString: strerror(errno)))
        }
    }

    /// The uid owning the client's socket of the connection from `client` to
    /// `server`, read from /proc/net/tcp and tcp6, or nil when they list no
    /// such socket. Reads both tables whole: the fallback only.
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
