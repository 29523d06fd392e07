import Foundation

/// A plain TCP connection to the agent on 127.0.0.1, for tests that need to
/// send exactly what they choose (a lying Host, half a request) and see what
/// the agent does with the connection.
public final class RawTCP: @unchecked Sendable {
    private let fd: Int32

    public init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr)
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let message = String(cString: strerror(errno))
            close(fd)
            throw WebSocketTestClient.Failure(description: "connect to 127.0.0.1:\(port): \(message)")
        }
    }

    deinit { close(fd) }

    public func send(_ text: String) throws {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw WebSocketTestClient.Failure(description: "send: \(String(cString: strerror(errno)))") }
            bytes = bytes.dropFirst(n)
        }
    }

    public func send(bytes: [UInt8]) throws {
        let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard n == bytes.count else { throw WebSocketTestClient.Failure(description: "send: \(String(cString: strerror(errno)))") }
    }

    /// What the peer has sent within `timeout` seconds of the first byte's
    /// wait, stopping at the first pause of 200 ms once something came.
    public func readAvailable(timeout: Double) -> [UInt8] {
        var received: [UInt8] = []
        let deadline = Date(timeIntervalSinceNow: timeout)
        var chunk = [UInt8](repeating: 0, count: 65536)
        while deadline.timeIntervalSinceNow > 0 {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let wait = received.isEmpty ? Int32(deadline.timeIntervalSinceNow * 1000) + 1 : 200
            guard poll(&poller, 1, wait) > 0 else { if received.isEmpty { continue } else { break } }
            let n = recv(fd, &chunk, chunk.count, 0)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            received += chunk[0..<n]
        }
        return received
    }

    /// Everything the peer sends until it closes.
    public func readToEnd() -> [UInt8] {
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return response }
            response += chunk[0..<n]
        }
    }

    /// True once the peer has closed the connection (whatever it sent
    /// first), false if it is still open after `timeout` seconds.
    public func waitForClose(timeout: Double) -> Bool {
        var ignored: [UInt8] = []
        return waitForClose(timeout: timeout, collecting: &ignored)
    }

    /// The same, keeping what the peer sent in `received`.
    public func waitForClose(timeout: Double, collecting received: inout [UInt8]) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { return false }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, Int32(left * 1000) + 1) > 0 else { continue }
            let n = recv(fd, &chunk, chunk.count, 0)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return true }
            received += chunk[0..<n]
        }
    }
}
