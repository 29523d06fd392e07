#if canImport(Glibc)
import Glibc
#endif

/// The listening sockets systemd hands over on socket activation
/// (sd_listen_fds(3): `LISTEN_PID`, `LISTEN_FDS`, descriptors from 3 on).
/// Each is checked before it is served: a TCP socket that listens on a
/// loopback address, nothing else, because the API must never be reachable
/// from another machine whatever a unit file says.
public enum SocketActivation {
    /// A socket that passed the checks.
    public struct Listener: Sendable, Equatable {
        public let descriptor: Int32
        public let host: String
        public let port: Int
    }

    public struct Refusal: Error, CustomStringConvertible {
        public let description: String
    }

    static let firstDescriptor: Int32 = 3

    /// The sockets passed to this process, checked; none when not socket-activated.
    /// Throws when any passed socket is not a loopback TCP listener.
    public static func listeners(environment: [String: String] = Environment.current, pid: Int32 = getpid()) throws(Refusal) -> [Listener] {
        guard let pidText = environment["LISTEN_PID"], let countText = environment["LISTEN_FDS"] else { return [] }
        // Meant for another process (a parent that did not clear them): not ours.
        guard Int32(pidText) == pid else { return [] }
        guard let count = Int32(countText), count >= 0, count < 1024 else {
            throw Refusal(description: "LISTEN_FDS=\(countText): not a number of sockets")
        }
        var listeners: [Listener] = []
        for descriptor in firstDescriptor..<(firstDescriptor + count) {
            // Plugin children must not inherit the API's sockets.
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
            listeners.append(try check(descriptor))
        }
        return listeners
    }

    /// The address `descriptor` listens on, when it is a listening loopback TCP socket.
    public static func check(_ descriptor: Int32) throws(Refusal) -> Listener {
        func option(_ name: Int32) -> Int32? {
            var value: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            return getsockopt(descriptor, SOL_SOCKET, name, &value, &length) == 0 ? value : nil
        }
        let what = "socket-activated descriptor \(descriptor)"
        guard let type = option(SO_TYPE) else {
            throw Refusal(description: "\(what) is not a socket: \(String(cString: strerror(errno)))")
        }
        guard type == Int32(SOCK_STREAM.rawValue), option(SO_ACCEPTCONN) == 1 else {
            throw Refusal(description: "\(what) is not a listening stream socket (use ListenStream= in the .socket unit)")
        }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard named == 0 else { throw Refusal(description: "\(what): getsockname failed: \(String(cString: strerror(errno)))") }
        let (host, port, loopback) = describe(storage)
        guard let host else { throw Refusal(description: "\(what) is not a TCP socket (family \(storage.ss_family))") }
        guard loopback else {
            throw Refusal(description: "\(what) listens on \(host):\(port), which other machines can reach; proctord serves on loopback only (ListenStream=127.0.0.1:\(port))")
        }
        return Listener(descriptor: descriptor, host: host, port: port)
    }

    /// The numeric host, port, and whether it is a loopback address.
    private static func describe(_ storage: sockaddr_storage) -> (String?, Int, Bool) {
        var storage = storage
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                    let raw = UInt32(bigEndian: address.pointee.sin_addr.s_addr)
                    let text = "\(raw >> 24).\((raw >> 16) & 255).\((raw >> 8) & 255).\(raw & 255)"
                    return (text, Int(UInt16(bigEndian: address.pointee.sin_port)), raw >> 24 == 127)
                }
            }
        case AF_INET6:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                    var bytes = address.pointee.sin6_addr
                    let octets = withUnsafeBytes(of: &bytes) { Array($0) }
                    let port = Int(UInt16(bigEndian: address.pointee.sin6_port))
                    var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
                    inet_ntop(AF_INET6, &bytes, &buffer, socklen_t(buffer.count))
                    let text = "[" + String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) + "]"
                    let isLoopback = octets[0..<15].allSatisfy { $0 == 0 } && octets[15] == 1
                    // ::ffff:127.x.y.z, a v4 loopback address in a v6 socket.
                    let isMappedLoopback = octets[0..<10].allSatisfy { $0 == 0 } && octets[10] == 255 && octets[11] == 255 && octets[12] == 127
                    return (text, port, isLoopback || isMappedLoopback)
                }
            }
        default:
            return (nil, 0, false)
        }
    }
}
