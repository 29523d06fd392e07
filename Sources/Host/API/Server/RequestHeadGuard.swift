import NIOCore
import NIOHTTP1

/// Judges every request head before hummingbird sees it: exactly one Host
/// header (RFC 9112 §3.2: two are answered 400), naming this machine's
/// loopback and our port; a request target in absolute form
/// (`GET http://host:port/path`) must name the same, and is passed on in
/// origin form; a WebSocket upgrade must come from an allowed Origin. A
/// refused request is answered here with its reason and `Connection: close`
/// and nothing more is read from the connection.
final class RequestHeadGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let services: APIServices
    private var refusing = false

    init(services: APIServices) { self.services = services }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if refusing { return }
        guard case .head(var head) = unwrapInboundIn(data) else {
            context.fireChannelRead(data)
            return
        }
        let upgrade = head.isWebSocketUpgrade
        switch judge(&head, upgrade: upgrade) {
        case .pass:
            context.fireChannelRead(wrapInboundOut(.head(head)))
            // A WebSocket is framed differently from here on: leave the pipeline.
            if upgrade { context.pipeline.syncOperations.removeHandler(context: context, promise: nil) }
        case .refuse(let status, let reason):
            refusing = true
            answer(context: context, head: head, status: status, reason: reason)
        }
    }

    enum Judgement: Equatable {
        case pass
        case refuse(HTTPResponseStatus, String)
    }

    /// The checks, in the order a client would want to hear of them. Rewrites
    /// an absolute-form target to origin form.
    func judge(_ head: inout HTTPRequestHead, upgrade: Bool) -> Judgement {
        let checks = services.checks
        let hosts = head.headers[canonicalForm: "host"]
        if hosts.count > 1 { return .refuse(.badRequest, "bad request: \(hosts.count) Host headers") }
        // One Origin too: the upgrade decision and the pairing proof read it again, and must read this one.
        let origins = head.headers["origin"]
        if origins.count > 1 { return .refuse(.badRequest, "bad request: \(origins.count) Origin headers") }
        if let target = AbsoluteTarget(head.uri) {
            guard let authority = target.authority else { return .refuse(.badRequest, "bad request: unusable request target") }
            if let refusal = checks.checkHost(authority) { return .refuse(.forbidden, refusal.reason) }
            head.uri = target.path
        } else if let refusal = checks.checkHost(hosts.first.map(String.init)) {
            return .refuse(.forbidden, refusal.reason)
        }
        if upgrade, let refusal = checks.checkOrigin(origins.first) {
            return .refuse(.forbidden, refusal.reason)
        }
        // These guards leave the pipeline with an upgrade request; one for another path would
        // then be served as plain HTTP on a connection no longer checked. Refused and closed.
        if upgrade, head.uri.split(separator: "?", maxSplits: 1).first != "/v1" {
            return .refuse(.notFound, "not found: only /v1 is a WebSocket")
        }
        return .pass
    }

    private func answer(context: ChannelHandlerContext, head: HTTPRequestHead, status: HTTPResponseStatus, reason: String) {
        let answer = RefusalAnswer(reason: reason, request: "\(head.method) \(head.uri.prefix(200))",
                                   address: context.channel.remoteAddress?.ipAddress, origin: head.headers["origin"].first, services: services)
        let headers = HTTPHeaders([("Content-Type", "text/plain; charset=utf-8"), ("Cache-Control", "no-store"),
                                   ("Connection", "close"), ("Content-Length", String(answer.body.utf8.count))])
        let version = head.version.major == 1 ? head.version : .http1_1
        let sent = answer.limited ? .tooManyRequests : status
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: sent, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: answer.body)))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}

extension HTTPRequestHead {
    /// Asks to become a WebSocket (`Upgrade: websocket`, in any case).
    var isWebSocketUpgrade: Bool { headers[canonicalForm: "upgrade"].contains { $0.lowercased() == "websocket" } }
}

/// A request target in absolute form (RFC 9112 §3.2.2), split into its
/// authority and the path to route. Nil for an origin-form target (`/...`).
struct AbsoluteTarget {
    /// `host:port` as written; nil when the target is not one the agent
    /// could serve (another scheme, user info, no authority).
    let authority: String?
    let path: String

    init?(_ uri: String) {
        guard !uri.hasPrefix("/") else { return nil }
        let lowered = uri.lowercased()
        guard let scheme = ["http://", "ws://"].first(where: { lowered.hasPrefix($0) }) else {
            authority = nil
            path = "/"
            return
        }
        let rest = uri.dropFirst(scheme.count)
        let end = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let authority = String(rest[..<end])
        self.authority = authority.isEmpty || authority.contains("@") ? nil : authority
        let tail = String(rest[end...])
        path = tail.hasPrefix("/") ? tail : "/" + tail
    }
}
