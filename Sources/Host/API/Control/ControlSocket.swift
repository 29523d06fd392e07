#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LinuxShim
import ProctorHost
import ProctorJSON

/// The command line's way into the running agent: a Unix socket, mode 0600,
/// in the runtime directory, that answers only the user who runs the agent
/// (checked with SO_PEERCRED). One JSON request line, one JSON answer line:
/// `{"command":"pairing-code"}`, `{"command":"sessions"}`,
/// `{"command":"revoke","session":"s_..."}` (no session: all),
/// `{"command":"unlock-pairing"}`, `{"command":"origins"}`,
/// `{"command":"origins-allow"|"origins-remove","origin":"https://..."}`.
public final class ControlSocket: @unchecked Sendable {
    public let path: String
    private let services: APIServices
    private var listener: Int32 = -1

    public init(path: String, services: APIServices) {
        self.path = path
        self.services = services
    }

    public func start() throws {
        unlink(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw PrivateFile.Failure(description: "control socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(fd)
            throw PrivateFile.Failure(description: "\(path): path too long for a Unix socket")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let previous = umask(0o177)  // the socket file is created 0600
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        umask(previous)
        guard bound == 0, listen(fd, 8) == 0 else {
            let message = String(cString: strerror(errno))
            close(fd)
            throw PrivateFile.Failure(description: "\(path): cannot listen: \(message)")
        }
        listener = fd
        let thread = Thread { [self] in acceptLoop(fd) }
        thread.name = "control"
        thread.start()
    }

    public func stop() {
        guard listener >= 0 else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        listener = -1
        unlink(path)
    }

    private func acceptLoop(_ listener: Int32) {
        while true {
            let client = accept(listener, nil, nil)
            if client >= 0 { _ = fcntl(client, F_SETFD, FD_CLOEXEC) }
            if client < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                return
            }
            var uid: UInt32 = 0
            let answer: JSONValue
            if linux_peer_uid(client, &uid) != 0 || uid != getuid() {
                answer = ["error": "the agent answers only its own user"]
            } else {
                answer = respond(to: readLine(client))
            }
            var text = JSONWriter.compact(answer) + "\n"
            text.withUTF8 { _ = send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            close(client)
        }
    }

    private func respond(to line: String) -> JSONValue {
        guard let request = try? JSONParser.parse(line), let command = request["command"]?.stringValue else {
            return ["error": "send one JSON line like {\"command\":\"pairing-code\"}"]
        }
        switch command {
        case "pairing-code":
            return services.pairing.json()
        case "unlock-pairing":
            let ended = services.unlockPairing(from: "the command line")
            return ["unlocked": .array(ended.map(JSONValue.string))]
        case "sessions":
            return ["sessions": .array(services.sessions.active.map(\.publicJSON)), "clients": services.clients.json]
        case "revoke":
            return ["revoked": .array(services.sessions.revoke(request["session"]?.stringValue).map(JSONValue.string))]
        case "origins":
            return services.checks.consent?.json(configured: services.checks.allowedOrigins.sorted()) ?? ["error": "origin consent is off"]
        case "origins-allow", "origins-remove":
            guard let consent = services.checks.consent else { return ["error": "origin consent is off"] }
            guard let text = request["origin"]?.stringValue else { return ["error": "name the origin: {\"origin\": \"https://example.com\"}"] }
            do {
                let (origin, change) = command == "origins-allow" ? try consent.allow(text) : try consent.remove(text)
                services.logger.notice("origin \(origin): \(change) from the command line")
                return ["origin": .string(origin), "change": .string("\(change)")]
            } catch {
                return ["error": .string("\(error)")]
            }
        default:
            return ["error": .string("unknown command \(JSONWriter.quoted(command))")]
        }
    }

    private func readLine(_ fd: Int32) -> String {
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 65536 {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n <= 0 { break }
            bytes += chunk[0..<n]
            if bytes.contains(UInt8(ascii: "\n")) { break }
        }
        return String(decoding: bytes.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
    }
}

/// The client side, for `proctord pairing-code` and `proctord sessions`.
public enum ControlClient {
    public static func send(_ request: JSONValue, to path: String) throws -> JSONValue {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw PrivateFile.Failure(description: String(cString: strerror(errno))) }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8).prefix($0.count - 1)) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            throw PrivateFile.Failure(description: "no running agent answers at \(path) (\(String(cString: strerror(errno)))); start it with `proctord run`")
        }
        var text = JSONWriter.compact(request) + "\n"
        text.withUTF8 { _ = Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        return try JSONParser.parse(bytes)
    }
}
