import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOHTTP1
import ProctorJSON

/// Answers a refused WebSocket upgrade with its reason before hummingbird's
/// upgrader sees it (which would answer an empty 400): `421 wrong_host`,
/// `403 wrong_origin`, or `404` for another path. Requests that are not
/// upgrades pass on to the router, whose middleware checks their Host.
final class UpgradeGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let site: CallSite
    private var refusing = false

    init(site: CallSite) { self.site = site }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if refusing { return }
        guard case .head(let head) = unwrapInboundIn(data),
              head.headers[canonicalForm: "upgrade"].contains(where: { $0.lowercased() == "websocket" })
        else {
            context.fireChannelRead(data)
            return
        }
        if let refusal = judge(head) {
            refusing = true
            answer(refusal, context: context, version: head.version)
            return
        }
        context.fireChannelRead(data)
        // A WebSocket is framed differently from here on: leave the pipeline.
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    private func judge(_ head: HTTPRequestHead) -> CallError? {
        let hosts = head.headers[canonicalForm: "host"]
        guard hosts.count == 1, site.accepts(host: String(hosts[0])) else { return .wrongHost(hosts.first.map(String.init)) }
        guard head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first == "/api/signal" else {
            return CallError(code: "not_found", message: "only /api/signal is a WebSocket", status: .notFound, closeCode: 4404)
        }
        let origins = head.headers["origin"]
        guard origins.count == 1, site.accepts(origin: origins[0]) else { return .wrongOrigin(origins.first) }
        return nil
    }

    private func answer(_ refusal: CallError, context: ChannelHandlerContext, version: HTTPVersion) {
        let body = JSONWriter.compact(["error": .object(refusal.fields)])
        var headers = HTTPHeaders([("Content-Type", "application/json"), ("Cache-Control", "no-store"), ("Connection", "close"),
                                   ("Content-Length", String(body.utf8.count))])
        for field in SiteGuardMiddleware.headers { headers.add(name: field.name.rawName, value: field.value) }
        let status = HTTPResponseStatus(statusCode: Int(refusal.status.code))
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: version.major == 1 ? version : .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}

/// The upgrade channel with `UpgradeGuard` right after its HTTP decoder.
struct GuardedUpgradeChannel: ServerChildChannel {
    typealias Value = HTTP1WebSocketUpgradeChannel.Value

    let inner: HTTP1WebSocketUpgradeChannel
    let site: CallSite

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let negotiated = inner.setup(channel: channel, logger: logger)
        do {
            let pipeline = channel.pipeline.syncOperations
            let decoder = try pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try pipeline.addHandler(UpgradeGuard(site: site), position: .after(decoder))
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return negotiated
    }

    func handle(value: Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}
