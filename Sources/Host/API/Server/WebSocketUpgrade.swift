import HTTPTypes
import HummingbirdWebSocket
import NIOCore

/// Decides whether a request to `/v1` becomes a WebSocket. Host, Origin (one,
/// and allowed) and the peer's user were checked before (ConnectionAdmission,
/// RequestHeadGuard); a request for another path is not upgraded.
enum WebSocketUpgrade {
    static func decide(
        request: HTTPRequest, channel: any Channel, services: APIServices
    ) -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>> {
        guard request.path?.split(separator: "?").first == "/v1", let origin = request.headerFields[.origin]
        else { return .dontUpgrade }
        do {
            // The upgrade appends the WebSocket codec after this; the guard then
            // reads the raw frames before they are decoded (see its comment).
            try channel.pipeline.syncOperations.addHandler(UnmaskedFrameGuard(), position: .last)
        } catch {
            return .dontUpgrade
        }
        return .upgrade([:]) { inbound, outbound, _ in
            let connection = ClientConnection(origin: origin, channel: channel, outbound: outbound, services: services)
            try await connection.run(inbound: inbound)
        }
    }
}
