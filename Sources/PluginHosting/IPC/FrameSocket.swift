#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// One end of the socket pair between proctord and a plugin child. Writes are
/// serialised and bounded in time, so a child that stops reading can stall
/// neither the host nor another writer forever; reads block on a thread of
/// their own.
public final class FrameSocket: Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public let fd: Int32
    /// Held while writing, and by `close`, so a write never reaches a closed
    /// (and perhaps reused) descriptor.
    private let writeLock = Mutex<Void>(())
    /// True once closed; `shutdown` and `close` look at it under this lock.
    private let closed = Mutex(false)

    public init(fd: Int32) { self.fd = fd }

    /// Creates a connected pair; both ends close on exec (the child's end is
    /// dup2'ed to a fixed number at spawn, which clears that flag there).
    public static func pair() throws -> (FrameSocket, FrameSocket) {
        var fds: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else {
            throw Failure(description: "socketpair failed: \(String(cString: strerror(errno)))")
        }
        return (FrameSocket(fd: fds[0]), FrameSocket(fd: fds[1]))
    }

    public func send(_ frame: Frame, timeoutMilliseconds: Int32 = 2000) throws {
        try send(bytes: frame.encoded(), timeoutMilliseconds: timeoutMilliseconds)
    }

    /// Writes all bytes, waiting at most `timeoutMilliseconds` for the peer
    /// to make room each time the socket buffer is full.
    public func send(bytes: [UInt8], timeoutMilliseconds: Int32 = 2000) throws {
        try writeLock.withLock { _ in
            guard !closed.withLock({ $0 }) else { throw Failure(description: "the channel is closed") }
            try write(bytes, timeoutMilliseconds: timeoutMilliseconds)
        }
    }

    /// The write loop; the caller holds `writeLock`.
    private func write(_ bytes: [UInt8], timeoutMilliseconds: Int32) throws {
        try bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
                if n > 0 {
                    offset += n
                } else if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                    var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                    let ready = poll(&poller, 1, timeoutMilliseconds)
                    if ready == 0 { throw Failure(description: "peer did not read for \(timeoutMilliseconds) ms") }
                    if ready < 0 && errno != EINTR { throw Failure(description: "poll: \(String(cString: strerror(errno)))") }
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    throw Failure(description: "send: \(String(cString: strerror(errno)))")
                }
            }
        }
    }

    /// Writes `frame` only if that can be done at once: no other write under
    /// way and room for it in the socket buffer (what is started is finished,
    /// as `send` would). False when nothing was written.
    public func sendIfIdle(_ frame: Frame, timeoutMilliseconds: Int32 = 2000) throws -> Bool {
        let bytes = frame.encoded()
        let done: Bool? = try writeLock.withLockIfAvailable { _ in
            guard !closed.withLock({ $0 }) else { throw Failure(description: "the channel is closed") }
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
            if n == bytes.count { return true }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) { return false }
            if n < 0 { throw Failure(description: "send: \(String(cString: strerror(errno)))") }
            try write(Array(bytes[n...]), timeoutMilliseconds: timeoutMilliseconds)
            return true
        }
        return done ?? false
    }

    /// Blocks until bytes arrive and feeds them to `decoder`. Returns false at
    /// end of stream (the peer closed or died).
    public func receive(into decoder: inout FrameDecoder, buffer: UnsafeMutableRawBufferPointer) throws -> Bool {
        while true {
            let n = recv(fd, buffer.baseAddress, buffer.count, 0)
            if n > 0 {
                decoder.append(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
                return true
            }
            if n == 0 { return false }
            if errno == EINTR { continue }
            if errno == ECONNRESET { return false }
            throw Failure(description: "recv: \(String(cString: strerror(errno)))")
        }
    }

    /// Stops both directions so a reader blocked in `receive` wakes up. Safe
    /// from any thread, before or after `close`.
    public func shutdown() {
        closed.withLock { if !$0 { _ = Glibc.shutdown(fd, Int32(SHUT_RDWR)) } }
    }

    /// Closes once; the reader must have stopped calling `receive`.
    public func close() {
        writeLock.withLock { _ in
            closed.withLock { isClosed in
                if !isClosed { _ = Glibc.close(fd) }
                isClosed = true
            }
        }
    }
}
