import NIOCore
import Synchronization

/// The checks every HTTP request and WebSocket upgrade passes before the
/// agent does anything for it (docs/protocol.md, "Before the upgrade").
public struct UpgradeGuard: Sendable {
    private let boundPort: BoundPort
    /// The port the API listens on: Host and the agent's own origins name it.
    public var port: Int { boundPort.value }
    public let allowedOrigins: Set<String>
    /// The origins the person at this computer allowed, or an install was
    /// seeded with; it remembers the ones refused so they can be allowed.
    public let consent: OriginConsent?
    public let uid: UInt32
    /// Finds the uid of the client's socket; the kernel's socket
    /// diagnostics in production (PeerOwnerLookup).
    public let peerUID: @Sendable (_ client: LoopbackPeer.Endpoint, _ server: LoopbackPeer.Endpoint) -> UInt32?

    public init(port: BoundPort, allowedOrigins: [String], consent: OriginConsent? = nil, uid: UInt32,
                peerUID: @escaping @Sendable (LoopbackPeer.Endpoint, LoopbackPeer.Endpoint) -> UInt32?) {
        self.boundPort = port
        self.allowedOrigins = Set(allowedOrigins)
        self.consent = consent
        self.uid = uid
        self.peerUID = peerUID
    }

    public struct Refusal: Error, Sendable, Equatable {
        public let reason: String
    }

    /// The agent's own origins: its local page may always connect.
    public var ownOrigins: Set<String> {
        ["http://127.0.0.1:\(port)", "http://localhost:\(port)", "http://[::1]:\(port)"]
    }

    /// Host must name this machine's loopback with our port, so a page from a
    /// DNS name that was rebound to 127.0.0.1 is refused.
    public func checkHost(_ host: String?) -> Refusal? {
        guard let host else { return Refusal(reason: "host not allowed: the request has no Host header") }
        let allowed: Set<String> = ["127.0.0.1:\(port)", "localhost:\(port)", "[::1]:\(port)"]
        return allowed.contains(host.lowercased()) ? nil : Refusal(reason: "host not allowed: \(String(host.prefix(100)))")
    }

    public func checkOrigin(_ origin: String?) -> Refusal? {
        guard let origin, origin != "null" else { return Refusal(reason: "origin not allowed: \(origin ?? "no Origin header")") }
        if allowedOrigins.contains(origin) || ownOrigins.contains(origin) || consent?.isAllowed(origin) == true { return nil }
        // The hint only for an origin the person could allow as it was sent.
        guard let consent, (try? OriginName.normalize(origin)) == origin else {
            return Refusal(reason: "origin not allowed: \(String(origin.prefix(200)))")
        }
        consent.noteRefused(origin)
        return Refusal(reason: "origin not allowed: \(String(origin.prefix(200))) (the person at this computer can allow it on the agent's page, http://127.0.0.1:\(port)/, or with `proctord origins allow`)")
    }

    /// Who owns the connecting socket, as the agent judges a connection when
    /// it is accepted (docs/protocol.md, "Before the upgrade").
    public enum PeerVerdict: Sendable, Equatable {
        case sameUser
        case anotherUser(UInt32)
        /// No socket of that address pair: the client has already gone, or
        /// the address is not an IP one. Never counted as an attack.
        case unknown
    }

    /// `client` and `server` are the connection's remote and local addresses,
    /// as the server sees it.
    public func checkPeer(client: SocketAddress?, server: SocketAddress?) -> PeerVerdict {
        guard let client = LoopbackPeer.Endpoint(client), let server = LoopbackPeer.Endpoint(server),
            let owner = peerUID(client, server)
        else { return .unknown }
        return owner == uid ? .sameUser : .anotherUser(owner)
    }
}

/// The API's port, known once the listener is bound (a config may ask for 0).
public final class BoundPort: Sendable {
    private let storage: Atomic<Int>

    public init(_ port: Int) { storage = Atomic(port) }

    public var value: Int { storage.load(ordering: .relaxed) }

    func set(_ port: Int) { storage.store(port, ordering: .relaxed) }
}
