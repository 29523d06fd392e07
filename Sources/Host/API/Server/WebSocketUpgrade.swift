import HTTPTypes
import HummingbirdWebSocket
import NIOCore

/// Decides whether a request to `/v1` becomes a WebSocket. A refused
/// request is not upgraded and falls through to the HTTP routes, which
/// answer it with the reason (logged there, once).
enum WebSocketUpgrade {
    static func decide(
        request: HTTPRequest, channel: any Channel, services: APIServices
    ) -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>> {
        let checks = services.checks
        guard request.path?.split(separator: "?").first == "/v1",
            checks.checkHost(request.authority) == nil,
            checks.checkOrigin(request.headerFields[.origin]) == nil,
            checks.checkPeer(client: channel.remoteAddress, server: channel.localAddress) == nil,
            let origin = request.headerFields[.origin]
        else { return .dontUpgrade }
        return .upgrade([:]) { inbound, outbound, _ in
            let connection = ClientConnection(origin: origin, channel: channel, outbound: outbound, services: services)
            await connection.run(inbound: inbound)
        }
    }
}
