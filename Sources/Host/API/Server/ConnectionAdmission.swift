import NIOCore

/// Decides once, when a connection is accepted and before its HTTP pipeline
/// is built or a byte is read, whether it may stay. Another user's
/// connection, or one whose socket the kernel no longer knows, is closed at
/// once with no answer, so another user can hold no descriptor of the
/// agent's and costs it one exact socket lookup per connection. Admitted
/// connections are counted in the ConnectionTable until they close.
enum ConnectionAdmission {
    struct Refused: Error {}

    /// True when `channel` may stay; otherwise it has been closed.
    static func admit(_ channel: any Channel, services: APIServices) -> Bool {
        let client = channel.remoteAddress
        switch services.checks.checkPeer(client: client, server: channel.localAddress) {
        case .sameUser:
            break
        case .anotherUser(let uid):
            if services.refusals.allow("uid \(uid)") {
                services.logger.warning("refused a connection from another user (uid \(uid), \(client?.description ?? "no address"))")
            }
            channel.close(promise: nil)
            return false
        case .unknown:
            // Not counted against anyone, and at debug: the client most likely went
            // away first, and anyone can make such connections by the thousand.
            services.logger.debug("closed a connection whose socket the kernel no longer lists (\(client?.description ?? "no address"))")
            channel.close(promise: nil)
            return false
        }
        switch services.connections.admit(channel) {
        case .admitted:
            break
        case .admittedByEvicting:
            if services.refusals.allow("connections") {
                services.logger.warning("more than \(services.connections.limits.maximumPending) connections waiting to identify: closed the oldest")
            }
        case .full:
            if services.refusals.allow("connections") {
                services.logger.warning("refused a connection: \(services.connections.limits.maximumTotal) identified connections are open")
            }
            channel.close(promise: nil)
            return false
        }
        try? channel.pipeline.syncOperations.addHandler(Release(connections: services.connections), position: .first)
        return true
    }

    /// Takes an admitted connection out of the table when it closes.
    final class Release: ChannelInboundHandler {
        typealias InboundIn = NIOAny
        let connections: ConnectionTable

        init(connections: ConnectionTable) { self.connections = connections }

        func channelInactive(context: ChannelHandlerContext) {
            connections.remove(context.channel)
            context.fireChannelInactive()
        }
    }
}
