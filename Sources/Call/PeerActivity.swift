import NIOCore
import Synchronization

/// When a signalling connection last sent anything, pongs included: a
/// handler in front of the WebSocket decoder stamps every read, since
/// hummingbird answers and swallows control frames before the session sees them.
final class PeerActivity: Sendable {
    private let start = ContinuousClock.now
    /// Milliseconds from `start` to the last read.
    private let lastRead = Atomic<Int64>(0)
    private let silent = Atomic<Bool>(false)

    init() {}

    /// How long the connection has sent nothing.
    var silence: Duration { .milliseconds(elapsed() - lastRead.load(ordering: .relaxed)) }

    /// Whether the connection was dropped for its silence.
    var timedOut: Bool { silent.load(ordering: .relaxed) }
    func markTimedOut() { silent.store(true, ordering: .relaxed) }

    fileprivate func touch() { lastRead.store(elapsed(), ordering: .relaxed) }

    private func elapsed() -> Int64 {
        let elapsed = ContinuousClock.now - start
        return elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
    }

    /// The handler that stamps reads, for the channel's pipeline.
    var stamp: some ChannelInboundHandler { Stamp(activity: self) }

    private final class Stamp: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = ByteBuffer
        typealias InboundOut = ByteBuffer
        let activity: PeerActivity

        init(activity: PeerActivity) { self.activity = activity }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            activity.touch()
            context.fireChannelRead(data)
        }
    }
}
