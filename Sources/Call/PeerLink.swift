import ProctorJSON

/// One joined signalling connection as the registry sees it: who holds it
/// and its outbox. Whatever is sent to a peer goes through the outbox, in
/// order, so `joined` is always its first message and `expired` comes before
/// the close.
final class PeerLink: Sendable {
    enum Outgoing: Sendable {
        case text(String)
        case close(code: UInt16, reason: String)
        case ping
    }

    let connection: Int
    let peerId: String
    let outbox: AsyncStream<Outgoing>.Continuation

    init(connection: Int, peerId: String, outbox: AsyncStream<Outgoing>.Continuation) {
        self.connection = connection
        self.peerId = peerId
        self.outbox = outbox
    }

    func send(_ message: JSONValue) { outbox.yield(.text(JSONWriter.compact(message))) }
    func send(text: String) { outbox.yield(.text(text)) }
    func close(_ code: UInt16, reason: String) { outbox.yield(.close(code: code, reason: reason)) }
    func ping() { outbox.yield(.ping) }
}
