import ProctorJSON

/// One joined signalling connection as the registry sees it: who holds it
/// and its outbox. Whatever is sent to a peer goes through the outbox, in
/// order, so `joined` is always its first message and `expired` comes before
/// the close. The outbox holds `capacity` messages: a peer that reads
/// nothing while the other keeps signalling is cut rather than buffered without end.
final class PeerLink: Sendable {
    static let capacity = 256

    enum Outgoing: Sendable {
        case text(String)
        case close(code: UInt16, reason: String)
        case ping
    }

    let connection: Int
    let peerId: String
    let outbox: AsyncStream<Outgoing>.Continuation
    private let cut: @Sendable () -> Void

    /// `outbox` must buffer at most `capacity` (`bufferingOldest`); `cut` ends the connection at once.
    init(connection: Int, peerId: String, outbox: AsyncStream<Outgoing>.Continuation, cut: @escaping @Sendable () -> Void) {
        self.connection = connection
        self.peerId = peerId
        self.outbox = outbox
        self.cut = cut
    }

    func send(_ message: JSONValue) { send(text: JSONWriter.compact(message)) }
    func send(text: String) {
        if case .dropped = outbox.yield(.text(text)) { cut() }
    }
    /// Queues the close frame, and cuts the connection 3 s later whatever
    /// happens to it: a writer blocked on a dead peer's full socket would never
    /// reach the frame, and the role would stay held until TCP gave up.
    func close(_ code: UInt16, reason: String) {
        guard case .enqueued = outbox.yield(.close(code: code, reason: Self.closeReason(reason))) else { return cut() }
        Task { [cut] in
            try? await Task.sleep(for: .seconds(3))
            cut()
        }
    }

    /// A close frame's reason is at most 123 bytes of UTF-8 (RFC 6455, 5.5): a
    /// longer one makes the client see a protocol error instead of our code.
    static func closeReason(_ reason: String) -> String {
        guard reason.utf8.count > 123 else { return reason }
        var cut = ""
        for character in reason {
            guard cut.utf8.count + character.utf8.count <= 120 else { break }
            cut.append(character)
        }
        return cut + "..."
    }
    func ping() { outbox.yield(.ping) }
}
