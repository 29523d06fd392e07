import Logging
import ProctorJSON
import Synchronization

/// What the routes and the signalling connections share.
public final class CallServices: Sendable {
    public let config: CallConfig
    public let registry: RoomRegistry
    public let limiter: JoinRateLimiter
    public let site: CallSite
    public let adminSecret: AdminSecret
    public let webDirectory: String?
    public let logger: Logger
    /// How often each signalling connection is pinged, and how long one may
    /// stay silent (pongs count) before it is dropped; shorter in tests.
    public let pingInterval: Duration
    public let silenceLimit: Duration
    private let connectionIDs = Atomic<Int>(0)

    public init(
        config: CallConfig, adminSecret: AdminSecret, webDirectory: String?, logger: Logger, limiter: JoinRateLimiter = JoinRateLimiter(),
        pingInterval: Duration = .seconds(20), silenceLimit: Duration = .seconds(60)
    ) {
        self.pingInterval = pingInterval
        self.silenceLimit = silenceLimit
        self.config = config
        self.adminSecret = adminSecret
        self.webDirectory = webDirectory
        self.logger = logger
        self.limiter = limiter
        self.site = CallSite()
        self.registry = RoomRegistry(
            maximumRooms: config.maximumRooms,
            joinedExtras: ["iceServers": .array(config.iceServers), "files": ["maxBytes": .number(Double(config.maximumFileBytes))]],
            logger: logger)
    }

    func nextConnectionID() -> Int { connectionIDs.add(1, ordering: .relaxed).newValue }
}
