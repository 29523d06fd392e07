import Foundation

/// A deliberately plain WebSocket client over a blocking socket, for tests
/// that must do what real clients should not: send a wrong Host, a 1 MiB
/// frame, binary frames, garbage, or stop reading altogether. Its async
/// methods do the blocking work off the cooperative pool (see `offPool`);
/// the `…Now` variants block the calling thread, for a test's own threads.
public final class WebSocketTestClient: @unchecked Sendable {
    public enum Message: Equatable, Sendable {
        case text(String)
        case binary([UInt8])
        case close(code: UInt16?, reason: String)
    }

    public struct Refused: Error, CustomStringConvertible {
        public let status: Int
        public let body: String
        public var description: String { "HTTP \(status): \(body)" }
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    private let fd: Int32
    private var buffer: [UInt8] = []
    private var start = 0  // where unread bytes begin in `buffer`

    /// Opens a TCP connection and asks for the upgrade. Throws `Refused` with
    /// the HTTP status and body when the server does not switch protocols.
    public static func connect(
        port: Int, path: String = "/v1", host: String? = nil, origin: String?, address: String = "127.0.0.1"
    ) async throws -> WebSocketTestClient {
        try await offPool { try WebSocketTestClient(port: port, path: path, host: host, origin: origin, address: address) }
    }

    /// The same, on the calling thread.
    public static func connectNow(port: Int, path: String = "/v1", origin: String?) throws -> WebSocketTestClient {
        try WebSocketTestClient(port: port, path: path, host: nil, origin: origin, address: "127.0.0.1")
    }

    private init(port: Int, path: String, host: String?, origin: String?, address: String) throws {
        fd = try Self.connect(address: address, port: port)
        var request = "GET \(path) HTTP/1.1\r\nHost: \(host ?? "127.0.0.1:\(port)")\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        request += "Sec-WebSocket-Key: \(Data((0..<16).map { _ in UInt8.random(in: 0...255) }).base64EncodedString())\r\n"
        request += "Sec-WebSocket-Version: 13\r\n"
        if let origin { request += "Origin: \(origin)\r\n" }
        request += "\r\n"
        try writeAll(Array(request.utf8))
        let (status, body) = try readHTTPResponse()
        guard status == 101 else {
            Glibc.close(fd)
            throw Refused(status: status, body: body)
        }
    }

    deinit { Glibc.close(fd) }

    // MARK: sending

    public func send(_ text: String) async throws { try await offPool { try self.sendNow(text) } }


    public func sendClose(code: UInt16 = 1000) async throws {
        try await offPool { try self.sendFrameNow(opcode: 0x8, payload: [UInt8(code >> 8), UInt8(code & 0xFF)]) }
    }

    public func sendNow(_ text: String) throws { try sendFrameNow(opcode: 0x1, payload: Array(text.utf8)) }

    /// Sends one frame; `masked: false` breaks RFC 6455 on purpose.
    public func sendFrameNow(opcode: UInt8, payload: [UInt8], fin: Bool = true, masked: Bool = true) throws {
        try writeAll(Self.frame(opcode: opcode, payload: payload, fin: fin, masked: masked))
    }

    /// Sends bytes as they are: several frames at once, or garbage.
    public func sendBytesNow(_ bytes: [UInt8]) throws { try writeAll(bytes) }

    /// One client frame, masked with a random key unless `masked` is false.
    /// `mask`: the masking key; random when nil (an all-zero key leaves the
    /// payload's bytes on the wire as they are).
    public static func frame(opcode: UInt8, payload: [UInt8], fin: Bool = true, masked: Bool = true, mask: [UInt8]? = nil) -> [UInt8] {
        var frame: [UInt8] = [(fin ? 0x80 : 0) | opcode]
        let maskBit: UInt8 = masked ? 0x80 : 0
        switch payload.count {
        case ..<126: frame.append(maskBit | UInt8(payload.count))
        case ..<65536: frame += [maskBit | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        default: frame += [maskBit | 127] + (0..<8).reversed().map { UInt8((payload.count >> (8 * $0)) & 0xFF) }
        }
        guard masked else { return frame + payload }
        let mask = mask ?? (0..<4).map { _ in UInt8.random(in: 0...255) }
        frame += mask
        frame.reserveCapacity(frame.count + payload.count)
        for (i, byte) in payload.enumerated() { frame.append(byte ^ mask[i & 3]) }
        return frame
    }

    // MARK: receiving

    /// The next message; nil when nothing arrives within `timeout`. Answers
    /// pings itself.
    public func receive(timeout: Double = 10) async throws -> Message? {
        try await offPool { try self.receiveNow(timeout: timeout) }
    }

    /// The next text message; fails on anything else.
    public func receiveText(timeout: Double = 10) async throws -> String {
        try await offPool { try self.receiveTextNow(timeout: timeout) }
    }

    /// Reads until a text message satisfies `match`, returning it.
    public func receive(until match: @escaping @Sendable (String) -> Bool, timeout: Double = 10) async throws -> String {
        try await offPool { try self.receiveNow(until: match, timeout: timeout) }
    }

    /// Reads until the server closes; returns the close frame's code and reason.
    public func receiveClose(timeout: Double = 10) async throws -> (code: UInt16?, reason: String) {
        try await offPool { try self.receiveCloseNow(timeout: timeout) }
    }

    public func receiveNow(timeout: Double = 10) throws -> Message? {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while true {
            if let (opcode, payload) = try nextFrame() {
                switch opcode {
                case 0x1: return .text(String(decoding: payload, as: UTF8.self))
                case 0x2: return .binary(payload)
                case 0x8:
                    let code = payload.count >= 2 ? UInt16(payload[0]) << 8 | UInt16(payload[1]) : nil
                    return .close(code: code, reason: String(decoding: payload.dropFirst(2), as: UTF8.self))
                case 0x9: try sendFrameNow(opcode: 0xA, payload: payload)
                default: continue
                }
                continue
            }
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { return nil }
            guard try fill(timeout: remaining) else {
                return .close(code: nil, reason: "connection closed without a close frame")
            }
        }
    }

    public func receiveTextNow(timeout: Double = 10) throws -> String {
        switch try receiveNow(timeout: timeout) {
        case .text(let text)?: return text
        case let other: throw Failure(description: "expected a text message, got \(String(describing: other))")
        }
    }

    public func receiveNow(until match: (String) -> Bool, timeout: Double = 10) throws -> String {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while deadline.timeIntervalSinceNow > 0 {
            guard let message = try receiveNow(timeout: deadline.timeIntervalSinceNow) else { break }
            guard case .text(let text) = message else {
                throw Failure(description: "expected text, got \(message)")
            }
            if match(text) { return text }
        }
        throw Failure(description: "no matching message within \(timeout) s")
    }

    public func receiveCloseNow(timeout: Double = 10) throws -> (code: UInt16?, reason: String) {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while deadline.timeIntervalSinceNow > 0 {
            if case .close(let code, let reason)? = try receiveNow(timeout: deadline.timeIntervalSinceNow) { return (code, reason) }
        }
        throw Failure(description: "the server did not close within \(timeout) s")
    }

    /// Cuts the next whole frame from the buffer, reading from `start` so a
    /// fast stream of small frames is not copied over and over.
    private func nextFrame() throws -> (UInt8, [UInt8])? {
        let available = buffer.count - start
        guard available >= 2 else { return nil }
        let opcode = buffer[start] & 0x0F
        var length = Int(buffer[start + 1] & 0x7F)
        var offset = 2
        if length == 126 {
            guard available >= 4 else { return nil }
            length = Int(buffer[start + 2]) << 8 | Int(buffer[start + 3])
            offset = 4
        } else if length == 127 {
            guard available >= 10 else { return nil }
            length = (2..<10).reduce(0) { $0 << 8 | Int(buffer[start + $1]) }
            offset = 10
        }
        guard available >= offset + length else { return nil }
        let payload = Array(buffer[(start + offset)..<(start + offset + length)])
        start += offset + length
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        } else if start > 1 << 20 {
            buffer.removeFirst(start)
            start = 0
        }
        return (opcode, payload)
    }

    // MARK: socket

    private static func connect(address: String, port: Int) throws -> Int32 {
        let v6 = address.contains(":")
        let fd = socket(v6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        var result: Int32
        if v6 {
            var addr = sockaddr_in6()
            addr.sin6_family = sa_family_t(AF_INET6)
            addr.sin6_port = in_port_t(UInt16(port).bigEndian)
            inet_pton(AF_INET6, address, &addr.sin6_addr)
            result = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
        } else {
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = in_port_t(UInt16(port).bigEndian)
            inet_pton(AF_INET, address, &addr.sin_addr)
            result = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        }
        guard result == 0 else {
            let message = String(cString: strerror(errno))
            Glibc.close(fd)
            throw Failure(description: "connect to \(address):\(port): \(message)")
        }
        return fd
    }

    private func writeAll(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw Failure(description: "send: \(String(cString: strerror(errno)))") }
            offset += n
        }
    }

    /// Reads more bytes into the buffer; false at end of stream.
    private func fill(timeout: Double) throws -> Bool {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&poller, 1, Int32(max(1, timeout * 1000)))
        if ready == 0 { return true }
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = recv(fd, &chunk, chunk.count, 0)
        if n < 0 && errno == EINTR { return true }
        if n <= 0 { return false }
        buffer += chunk[0..<n]
        return true
    }

    private func readHTTPResponse() throws -> (Int, String) {
        let separator: [UInt8] = [13, 10, 13, 10]
        while true {
            if let end = buffer.firstRange(of: separator) {
                let head = String(decoding: buffer[..<end.lowerBound], as: UTF8.self)
                buffer.removeFirst(end.upperBound)
                let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
                let length = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                while buffer.count < length { guard try fill(timeout: 5) else { break } }
                let body = String(decoding: buffer.prefix(length), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                if status != 101 { buffer.removeFirst(min(length, buffer.count)) }
                return (status, body)
            }
            guard try fill(timeout: 5) else { throw Failure(description: "connection closed during the HTTP exchange") }
        }
    }
}
