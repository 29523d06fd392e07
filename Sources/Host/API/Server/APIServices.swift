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
    /// The pages' own reports of their visibility, focus, full screen and share.
    let pageSignals: PageSignals
    /// The name of the bus's seq numbering: new each time the agent starts,
    /// unless it continued an interview and with it the numbering.
    public var agentSession: String { bus.agentSession }
    /// High-rate topics a slow client may lose first.
    public let thinTopics: Set<String>
    public let heartbeatInterval: Duration
    public let webDirectory: String?
    public let logger: Logger

    /// Ends every pairing lock at the request of the person at the machine,
    /// through `place`, and says so in the log; returns the origins unlocked.
    func unlockPairing(from place: String) -> [String] {
        let ended = pairing.unlock()
        if !ended.isEmpty { logger.notice("pairing unlocked from \(place) for \(ended.joined(separator: ", "))") }
        return ended
    }
}
