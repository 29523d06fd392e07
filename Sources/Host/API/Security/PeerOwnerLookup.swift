import Logging
import Synchronization

/// Finds who owns the client's socket of a loopback connection: netlink's
/// exact lookup, and where the kernel or a sandbox refuses netlink, the
/// /proc tables, saying so once in the log (that path slows down with every
/// socket the machine holds).
public final class PeerOwnerLookup: Sendable {
    private let logger: Logger
    private let warnedAboutFallback = Atomic<Bool>(false)
    private let netlink: @Sendable (LoopbackPeer.Endpoint, LoopbackPeer.Endpoint) -> LoopbackPeer.Answer
    private let procfs: @Sendable (LoopbackPeer.Endpoint, LoopbackPeer.Endpoint) -> UInt32?

    public init(
        logger: Logger,
        netlink: @escaping @Sendable (LoopbackPeer.Endpoint, LoopbackPeer.Endpoint) -> LoopbackPeer.Answer = {
            LoopbackPeer.netlinkOwner(client: $0, server: $1)
        },
        procfs: @escaping @Sendable (LoopbackPeer.Endpoint, LoopbackPeer.Endpoint) -> UInt32? = {
            LoopbackPeer.uid(client: $0, server: $1)
        }
    ) {
        self.logger = logger
        self.netlink = netlink
        self.procfs = procfs
    }

    /// The owner's uid, or nil when no socket of that address pair exists
    /// (the client has already gone).
    public func owner(client: LoopbackPeer.Endpoint, server: LoopbackPeer.Endpoint) -> UInt32? {
        switch netlink(client, server) {
        case .owner(let uid):
            return uid
        case .notFound:
            return nil
        case .unavailable(let reason):
            if !warnedAboutFallback.exchange(true, ordering: .relaxed) {
                logger.warning("netlink socket diagnostics refused (\(reason)): finding each connection's user in /proc/net/tcp instead, which is slower on a machine with many sockets")
            }
            return procfs(client, server)
        }
    }
}
