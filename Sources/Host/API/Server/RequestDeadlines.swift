import NIOCore
import NIOHTTP1

/// Time limits on a plain HTTP connection that a trickle of bytes cannot
/// stretch: each request head must arrive whole within `headSeconds` of the
/// connection opening or of the previous answer (so a keep-alive connection
/// left idle closes then too), and a request's body within `bodySeconds` of
/// its head. The clocks start on those moments and are not reset by reads.
/// Also closes the connection after an answer that says `Connection: close`
/// (hummingbird keeps it open unless the request asked), and closes quietly
/// on a request the HTTP parser rejects. Leaves the pipeline when the
/// connection becomes a WebSocket, which has its own deadlines.
final class RequestDeadlines: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    static let headSeconds: Int64 = 10
    static let bodySeconds: Int64 = 10

    private let headSeconds: Int64
    private let bodySeconds: Int64
    private var deadline: Scheduled<Void>?
    /// Requests whose answer has not ended yet (hummingbird may read the next one first).
    private var unanswered = 0
    private var readingRequest = false
    private var closeAfterAnswer = false

    init(headSeconds: Int64 = RequestDeadlines.headSeconds, bodySeconds: Int64 = RequestDeadlines.bodySeconds) {
        self.headSeconds = headSeconds
        self.bodySeconds = bodySeconds
    }

    func handlerAdded(context: ChannelHandlerContext) {
        arm(context: context, seconds: headSeconds)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            if head.isWebSocketUpgrade {
                context.fireChannelRead(data)
                context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
                return
            }
            unanswered += 1
            readingRequest = true
            arm(context: context, seconds: bodySeconds)
        case .body:
            break
        case .end:
            readingRequest = false
            deadline?.cancel()
            deadline = nil
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head):
            if head.headers[canonicalForm: "connection"].contains(where: { $0.lowercased() == "close" }) { closeAfterAnswer = true }
            context.write(data, promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            unanswered = max(0, unanswered - 1)
            if closeAfterAnswer {
                let written = context.eventLoop.makePromise(of: Void.self)
                written.futureResult.cascade(to: promise)
                let channel = context.channel
                written.futureResult.whenComplete { _ in channel.close(promise: nil) }
                context.write(data, promise: written)
                return
            }
            if unanswered == 0 && !readingRequest { arm(context: context, seconds: headSeconds) }
            context.write(data, promise: promise)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A malformed or oversized request head: nothing more will make sense.
        if error is HTTPParserError {
            context.close(promise: nil)
            return
        }
        context.fireErrorCaught(error)
    }

    private func arm(context: ChannelHandlerContext, seconds: Int64) {
        deadline?.cancel()
        let channel = context.channel
        deadline = context.eventLoop.scheduleTask(in: .seconds(seconds)) { channel.close(promise: nil) }
    }
}
