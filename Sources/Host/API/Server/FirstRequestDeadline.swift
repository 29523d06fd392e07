import NIOCore
import NIOHTTP1

/// Closes a connection whose first request head has not arrived within
/// `seconds`, or that the HTTP decoder gave up on (a body is hummingbird's to time out). hummingbird's idle timeout
/// only starts after the upgrade decision, so without this a local program
/// could hold connections that never finish a request until the agent runs
/// out of descriptors.
final class FirstRequestDeadline: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    private let seconds: Int64
    private var deadline: Scheduled<Void>?

    init(seconds: Int64 = 10) { self.seconds = seconds }

    func handlerAdded(context: ChannelHandlerContext) {
        let channel = context.channel
        deadline = context.eventLoop.scheduleTask(in: .seconds(seconds)) { channel.close(promise: nil) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) {
            deadline?.cancel()
            deadline = nil
            context.fireChannelRead(data)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            return
        }
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A malformed or oversized request head: nothing more will make sense.
        if error is HTTPParserError {
            context.close(promise: nil)
            return
        }
        context.fireErrorCaught(error)
    }
}
