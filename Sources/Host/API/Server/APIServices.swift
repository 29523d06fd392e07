import Logging
import ProctorHost
import Synchronization

/// What every connection and route of the local API shares.
public struct APIServices: Sendable {
    public let agent: Agent
    public let bus: EventBus
    public let pairing: PairingService
    public let sessions: SessionRegistry
    public let clients: ClientRegistry
    /// Every open connection, counted against the connection limits.
    public let connections: ConnectionTable
    public let checks: UpgradeGuard
    public let refusals: RefusalLimiter
    /// Changes each time the agent starts; seqs are comparable only within one.
    public let agentSession: String
    /// High-rate topics a slow client may lose first.
    public let thinTopics: Set<String>
    public let heartbeatInterval: Duration
    public let webDirectory: String?
    public let logger: Logger
}
