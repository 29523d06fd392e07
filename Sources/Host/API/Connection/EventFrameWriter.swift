import NIOCore
import NIOWebSocket
import Synchronization

/// Writes a batch of text messages as WebSocket frames with one hop to the
/// event loop and one flush. Writing them one by one through the async
/// writer costs a hop and a send(2) each, which is what limits the agent
/// when many pages share a fast topic.
///
/// The frames enter the pipeline below hummingbird's async writer, which
/// passes on writes it did not make; the two only ever interleave whole
/// frames. No WebSocket extension is configured, so none is bypassed.
struct EventFrameWriter: Sendable {
    let channel: any Channel
    /// Shut once the close frame is on its way: no frame may follow it.
    let gate: OutputGate

    /// Returns once the last frame has reached the socket, so a client that
    /// stops reading holds at most one batch here and the rest waits, bounded,
    /// in its subscription.
    func write(_ texts: [String]) async throws {
        guard let last = texts.last else { return }
        let channel = self.channel
        let gate = self.gate
        try await channel.eventLoop.flatSubmit {
            // Checked on the event loop, where the close frame is written too.
            guard !gate.isShut else { return channel.eventLoop.makeFailedFuture(ChannelError.outputClosed) as EventLoopFuture<Void> }
            for text in texts.dropLast() {
                channel.write(Self.frame(text, channel.allocator), promise: nil)
            }
            return channel.writeAndFlush(Self.frame(last, channel.allocator))
        }.get()
    }

    private static func frame(_ text: String, _ allocator: ByteBufferAllocator) -> WebSocketFrame {
        WebSocketFrame(fin: true, opcode: .text, data: allocator.buffer(string: text))
    }
}

/// Set when a connection starts closing, before its close frame is queued.
final class OutputGate: Sendable {
    private let shut = Atomic<Bool>(false)
    func close() { shut.store(true, ordering: .sequentiallyConsistent) }
    var isShut: Bool { shut.load(ordering: .sequentiallyConsistent) }
}
