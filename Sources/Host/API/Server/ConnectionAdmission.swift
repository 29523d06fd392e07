import NIOCore

/// The first handler of every accepted connection: decides once, before a
/// byte is read, whether the connection may stay. Another user's connection,
/// or one whose socket the kernel no longer knows, is closed at once with no
/// answer, so another user can hold no descriptor of the agent's and costs
/// it one exact socket lookup per connection. Admitted connections are
/// counted in the ConnectionTable until they close.
final class ConnectionAdmission: ChannelInboundHandler {
    typealias InboundIn = NIOAny

    private let services: APIServices
    private var decided = false

    init(services: APIServices) { self.services = services }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { decide(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        decide(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        services.connections.remove(context.channel)
        context.fireChannelInactive()
    }

    private func decide(context: ChannelHandlerContext) {
        guard !decided else { return }
        decided = true
        let channel = context.channel
        let client = channel.remoteAddress
        switch services.checks.checkPeer(client: client, server: channel.localAddress) {
        case .sameUser:
            break
        case .anotherUser(let uid):
            if services.refusals.allow("uid \(uid)") {
                services.logger.warning("refused a connection from another user (uid \(uid), \(client?.description ?? "no address"))")
            }
            channel.close(promise: nil)
            return
        case .unknown:
            // Not counted against anyone: the client most likely went away first.
            services.logger.info("closed a connection whose socket the kernel no longer lists (\(client?.description ?? "no address"))")
            channel.close(promise: nil)
            return
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
        }
    }
}
