import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOHTTP1

/// hummingbird's HTTP/1 + WebSocket channel with the agent's checks in
/// front of the upgrade: a refused upgrade gets HTTP 403 and the reason
/// (hummingbird alone would answer 400 with no body).
struct GuardedUpgradeChannel: ServerChildChannel {
    typealias Value = HTTP1WebSocketUpgradeChannel.Value

    let inner: HTTP1WebSocketUpgradeChannel
    let services: APIServices

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let negotiated = inner.setup(channel: channel, logger: logger)
        do {
            // The inner setup built [encoder, decoder, upgrader]: sit right after the
            // decoder, so requests arrive parsed and answers go out through the encoder.
            let decoder = try channel.pipeline.syncOperations.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try channel.pipeline.syncOperations.addHandler(UpgradeRefusalHandler(services: services), position: .after(decoder))
            try channel.pipeline.syncOperations.addHandler(FirstRequestDeadline(), position: .after(decoder))
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return negotiated
    }

    func handle(value: Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}

/// Looks at the first request on a connection: an upgrade that fails the
/// Host, Origin or same-user check is answered here and the connection
/// closed; anything else passes on untouched, and the handler leaves.
final class UpgradeRefusalHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let services: APIServices
    private var refusing = false

    init(services: APIServices) { self.services = services }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if refusing { return }
        guard case .head(let head) = unwrapInboundIn(data), head.headers["upgrade"].first?.lowercased() == "websocket" else {
            context.fireChannelRead(data)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            return
        }
        let checks = services.checks
        let origin = head.headers["origin"].first
        guard let refusal = checks.checkHost(head.headers["host"].first) ?? checks.checkOrigin(origin)
            ?? checks.checkPeer(client: context.channel.remoteAddress, server: context.channel.localAddress)
        else {
            context.fireChannelRead(data)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            return
        }
        refusing = true
        let source = "\(context.channel.remoteAddress?.ipAddress ?? "?") \((origin ?? "-").prefix(100))"
        let allowed = services.refusals.allow(source)
        if allowed { services.logger.warning("refused WebSocket upgrade: \(refusal.reason)") }
        let body = allowed ? refusal.reason + "\n" : "too many refused requests\n"
        var headers = HTTPHeaders([("Content-Type", "text/plain; charset=utf-8"), ("Cache-Control", "no-store"),
                                   ("Connection", "close"), ("Content-Length", String(body.utf8.count))])
        headers.replaceOrAdd(name: "Content-Length", value: String(body.utf8.count))
        let status: HTTPResponseStatus = allowed ? .forbidden : .tooManyRequests
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}
