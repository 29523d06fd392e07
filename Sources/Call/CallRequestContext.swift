import Hummingbird
import NIOCore

/// The request context of the call server: hummingbird's basics plus the
/// client's address, which the rate limiter counts failures by.
public struct CallRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The address failures are counted by.
    public var clientAddress: String { remoteAddress?.ipAddress ?? "unknown" }
}
