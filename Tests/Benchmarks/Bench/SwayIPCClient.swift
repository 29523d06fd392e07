#if canImport(Glibc)
import Glibc
#endif
import Foundation
import ProctorJSON
import X11Support

/// The benchmark's own connection to sway's IPC socket, speaking what
/// swaymsg speaks (a "i3-ipc" header, the payload's length and the message
/// type in native byte order, then the payload), so a command is timed from
/// just before its bytes are written, not from swaymsg's own start.
final class SwayIPCClient {
    private let descriptor: Int32

    init(socket path: String) throws {
        descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw BenchError("socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(descriptor)
            throw BenchError("sway's IPC socket path is too long: \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes + [0]) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw BenchError("cannot connect to sway at \(path): \(reason)")
        }
    }

    deinit { close(descriptor) }

    /// Runs `command` (as `swaymsg <command>` would) and returns the monotonic
    /// time just before it was sent, once sway has answered that it succeeded.
    func run(_ command: String) throws -> Double {
        let payload = Array(command.utf8)
        var message = Array("i3-ipc".utf8)
        withUnsafeBytes(of: UInt32(payload.count)) { message += $0 }
        withUnsafeBytes(of: UInt32(0)) { message += $0 }  // RUN_COMMAND
        message += payload
        let at = SystemMonotonicClock().now
        try message.withUnsafeBytes { try write($0) }
        let header = try read(14)
        let length = header[6..<10].withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
        let reply = try JSONParser.parse(String(decoding: try read(Int(length)), as: UTF8.self))
        guard let results = reply.arrayValue, !results.isEmpty, results.allSatisfy({ $0["success"] == true }) else {
            throw BenchError("sway refused \(command): \(reply)")
        }
        return at
    }

    private func write(_ bytes: UnsafeRawBufferPointer) throws {
        var sent = 0
        while sent < bytes.count {
            let n = Glibc.write(descriptor, bytes.baseAddress! + sent, bytes.count - sent)
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw BenchError("writing to sway: \(String(cString: strerror(errno)))") }
            sent += n
        }
    }

    private func read(_ count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var received = 0
        while received < count {
            let n = bytes.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress! + received, count - received) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw BenchError("reading from sway: \(n == 0 ? "closed" : String(cString: strerror(errno)))") }
            received += n
        }
        return bytes
    }
}
