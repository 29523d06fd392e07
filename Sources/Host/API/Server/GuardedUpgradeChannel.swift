import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOHTTP1

/// hummingbird's HTTP/1 + WebSocket channel with the agent's checks in
/// front: the connection's user when it is accepted (ConnectionAdmission),
/// then each request head's deadlines and checks (RequestDeadlines,
/// RequestHeadGuard), so a refused request gets its reason from the agent
/// (hummingbird alone would answer a refused upgrade 400 with no body).
struct GuardedUpgradeChannel: ServerChildChannel {
    typealias Value = HTTP1WebSocketUpgradeChannel.Value

    let inner: HTTP1WebSocketUpgradeChannel
    let services: APIServices

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        // Before anything is built for it: a refused connection costs one lookup.
        guard ConnectionAdmission.admit(channel, services: services) else {
            return channel.eventLoop.makeFailedFuture(ConnectionAdmission.Refused())
        }
        let negotiated = inner.setup(channel: channel, logger: logger)
        do {
            // The inner setup built [encoder, decoder, upgrader]: sit right after the
            // decoder, so requests arrive parsed and answers go out through the encoder.
            let pipeline = channel.pipeline.syncOperations
            let decoder = try pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try pipeline.addHandler(RequestHeadGuard(services: services), position: .after(decoder))
            try pipeline.addHandler(RequestDeadlines(), position: .after(decoder))
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return negotiated
    }

    func handle(value: Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}
