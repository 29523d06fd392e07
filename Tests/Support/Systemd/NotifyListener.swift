import Foundation
import Synchronization

/// The receiving end of sd_notify(3), as systemd's manager has it: a Unix
/// datagram socket whose path goes into the agent's NOTIFY_SOCKET. Each
/// message is kept with the time it arrived, and `onMessage` runs on the
/// receiving thread as it arrives (so a test can act at the moment of READY=1).
public final class NotifyListener: @unchecked Sendable {
    public struct Message: Sendable {
        public let text: String
        public let arrived: ContinuousClock.Instant
        public var fields: [String: String] {
            var out: [String: String] = [:]
            for line in text.split(separator: "\n") {
                if let eq = line.firstIndex(of: "=") { out[String(line[..<eq])] = String(line[line.index(after: eq)...]) }
            }
            return out
        }
    }

    public let path: String
    private let fd: Int32
    private let inbox = Inbox()

    /// What arrived, apart from the listener so the receiving thread does not keep it alive.
    private final class Inbox: Sendable {
        let messages = Mutex<[Message]>([])
    }

    public init(path: String, onMessage: @escaping @Sendable (Message) -> Void = { _ in }) throws {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8) + [0]) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        let thread = Thread { [fd, inbox] in
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = recv(fd, &buffer, buffer.count, 0)
                if n <= 0 { return }
                let message = Message(text: String(decoding: buffer[0..<n], as: UTF8.self), arrived: .now)
                inbox.messages.withLock { $0.append(message) }
                onMessage(message)
            }
        }
        thread.start()
    }

    public var messages: [Message] { inbox.messages.withLock { $0 } }

    /// The first message that has `key` (READY, WATCHDOG, STOPPING, STATUS), waiting for it.
    public func wait(for key: String, timeout: Duration = .seconds(30)) async -> Message? {
        var found: Message?
        _ = await eventually(timeout: timeout) {
            found = messages.first { $0.fields[key] != nil }
            return found != nil
        }
        return found
    }

    deinit {
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
        unlink(path)
    }
}
