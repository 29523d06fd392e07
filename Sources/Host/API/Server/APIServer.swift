#if canImport(Glibc)
import Glibc
#endif
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import ProctorHost
import ProctorJSON
import Synchronization

/// The local API: HTTP and the `/v1` WebSocket on 127.0.0.1 and ::1 only.
/// There is no setting for the address: the agent never listens anywhere else.
public final class APIServer: Sendable {
    public static let loopbackAddresses = ["127.0.0.1", "::1"]

    public let services: APIServices
    private let requestedPort: Int
    private let runtimeDirectory: String
    private let activated: [SocketActivation.Listener]
    private let boundPort: BoundPort
    /// Announces each new pairing code when the shown one expires and ends
    /// the connections of sessions that expired, sleeping until the next of
    /// those deadlines in between.
    private let housekeeping: DeadlineLoop

    /// `clock` is the wall clock in seconds; tests move it to expire tokens.
    /// `activated`: the sockets systemd handed over, served instead of binding
    /// `config.port` (the first one's port is the API's port).
    public init(
        agent: Agent, config: AgentConfig.APIConfig, paths: AgentPaths, logger: Logger,
        activated: [SocketActivation.Listener] = [],
        clock: @escaping @Sendable () -> Double = WallClock.seconds
    ) {
        self.requestedPort = activated.first?.port ?? config.port
        self.activated = activated
        self.runtimeDirectory = paths.runtimeDirectory
        let boundPort = BoundPort(requestedPort)
        self.boundPort = boundPort
        let peers = PeerOwnerLookup(logger: logger)
        let consent = OriginConsent(file: paths.configDirectory + "/origins.json", seedDirectory: paths.systemConfigDirectory + "/origins.d", logger: logger, clock: clock)
        // The person may answer a site's ask from the desktop notice too.
        consent.whenAsking { origin in
            agent.notices.originAsking(origin) { allow in
                do {
                    let change = try (allow ? consent.allow(origin) : consent.ignore(origin)).change
                    logger.notice("origins: \(origin) \(change) from the desktop notice")
                } catch {
                    logger.error("origins: \(origin): \(error)")
                }
            }
        }
        let checks = UpgradeGuard(port: boundPort, allowedOrigins: config.allowedOrigins, consent: consent, uid: getuid()) { peers.owner(client: $0, server: $1) }
        let sessions = SessionRegistry(file: paths.stateDirectory + "/sessions.json", lifetimeSeconds: config.tokenLifetimeSeconds, clock: clock)
        let clients = ClientRegistry()
        services = APIServices(
            agent: agent, bus: agent.bus,
            pairing: PairingService(clock: clock) { code, expiresAt in
                logger.notice("pairing code: \(code.prefix(3)) \(code.dropFirst(3)) (valid until \(Timestamp(seconds: expiresAt).rfc3339))")
            },
            sessions: sessions, clients: clients, connections: ConnectionTable(), checks: checks, refusals: RefusalLimiter(),
            pageSignals: PageSignals(bus: agent.bus, clock: clock),
            thinTopics: Set(config.thinTopics),
            heartbeatInterval: .seconds(config.heartbeatIntervalSeconds), webDirectory: paths.webDirectory, logger: logger)
        let housekeeping = DeadlineLoop(clock: clock)
        self.housekeeping = housekeeping
        sessions.onIssue { _ in housekeeping.wake() }
        sessions.onRevoke { id in
            logger.notice("session \(id) revoked")
            Task { await clients.close(session: id, code: .sessionRevoked, reason: "the session was revoked") }
            Task { await agent.interviews.sessionEnded(id) }
        }
        // An interview the agent continued after a restart whose session
        // expired or was revoked in the meantime has no page left to end it.
        Task {
            if let session = await agent.interviews.runningSession, !sessions.active.contains(where: { $0.id == session }) {
                logger.notice("session \(session) of the continued interview is gone")
                await agent.interviews.sessionEnded(session)
            }
        }
    }

    /// Runs the housekeeping now rather than at its next deadline: for a wall
    /// clock that was moved (tests move it to expire tokens).
    public func recheckDeadlines() { housekeeping.wake() }

    /// Returns once every event loop serving the API has run a task (the watchdog's probe).
    public func eventLoopsTurn() async { await APIListener.eventLoopsTurn() }

    /// The port the API listens on (known once `run` has bound it).
    public var port: Int { boundPort.value }

    /// Serves until the calling task is cancelled; then tells every client
    /// the agent is going away (1001) and stops listening. Throws when
    /// 127.0.0.1 cannot be served.
    public func run(onListening: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        let (ready, readyContinuation) = AsyncStream.makeStream(of: Int.self)
        let (stopped, stop) = AsyncStream.makeStream(of: Void.self)
        // The listeners run apart from the caller's cancellation, so clients
        // hear 1001 before the sockets go away.
        let primary: (endpoint: APIListener.Endpoint, name: String) =
            activated.first.map { (.descriptor($0.descriptor), "\($0.host):\($0.port)") }
            ?? (.address(host: "127.0.0.1", port: requestedPort), "127.0.0.1:\(requestedPort)")
        let ipv4 = Task {
            defer {
                readyContinuation.finish()  // a failed bind must not leave the wait below hanging
                stop.finish()
            }
            try await self.serve(primary.endpoint, name: primary.name, required: true) { readyContinuation.yield($0) }
        }
        var iterator = ready.makeAsyncIterator()
        guard let port = await iterator.next() else {
            // No port: the bind failed (ipv4 throws why), or this task was
            // cancelled before the bind; then ipv4, which is not this task's
            // child, must be stopped too or it serves on and the agent hangs.
            guard Task.isCancelled else { return try await ipv4.value }
            ipv4.cancel()
            _ = try? await ipv4.value
            return
        }
        boundPort.set(port)
        // ::1 on the same port (a machine without IPv6 loopback still serves IPv4),
        // or the other sockets systemd handed over.
        let others: [(APIListener.Endpoint, String)] = activated.isEmpty
            ? [(.address(host: "::1", port: port), "[::1]:\(port)")]
            : activated.dropFirst().map { (.descriptor($0.descriptor), "\($0.host):\($0.port)") }
        let ipv6 = Task {
            await withTaskGroup(of: Void.self) { group in
                for (endpoint, name) in others {
                    group.addTask { try? await self.serve(endpoint, name: name, required: false) { _ in } }
                }
            }
        }
        let how = activated.isEmpty ? "" : " (sockets from systemd: \(activated.map { "\($0.host):\($0.port)" }.joined(separator: ", ")))"
        services.logger.notice("local API on ws://127.0.0.1:\(port)/v1 and http://127.0.0.1:\(port)/\(how)")
        let control = ControlSocket(path: runtimeDirectory + "/control.sock", services: services)
        do { try control.start() } catch { services.logger.warning("no control socket: \(error)") }
        let housekeeping = Task { [services, loop = self.housekeeping] in
            await loop.run {
                let code = services.pairing.current()  // a new code, announced, once the shown one expired
                // A token is good for its lifetime, not for as long as a connection made with it lasts.
                for id in services.sessions.expired {
                    await services.clients.close(session: id, code: .tokenExpired, reason: "the session expired: pair again")
                    await services.agent.interviews.sessionEnded(id)
                }
                return min(code.expiresAt, services.sessions.nextExpiry ?? .infinity)
            }
        }
        onListening(port)
        await withTaskCancellationHandler {
            for await _ in stopped {}
        } onCancel: {
            stop.finish()
        }
        housekeeping.cancel()
        control.stop()
        // Outside this cancelled task: in it, writing a close frame would throw
        // at once. The frames are only queued, so give each page a moment to
        // read its 1001 and answer before the listeners' end cuts every connection.
        let clients = services.clients
        await Task {
            await clients.closeAll(code: .goingAway, reason: "the agent is shutting down")
            _ = await clients.waitUntilEmpty(timeout: .seconds(2))
        }.value
        ipv4.cancel()
        ipv6.cancel()
        await ipv6.value
        try await ipv4.value
    }

    private func serve(
        _ endpoint: APIListener.Endpoint, name: String, required: Bool, onBound: @escaping @Sendable (Int) -> Void
    ) async throws {
        let router = Router(context: APIRequestContext.self)
        APIRoutes(services: services).add(to: router)
        let services = self.services
        let makeChild = { @Sendable (responder: @escaping HTTPChannelHandler.Responder) in
            GuardedUpgradeChannel(
                inner: HTTP1WebSocketUpgradeChannel(
                    responder: responder,
                    configuration: .init(
                        http1: .init(idleTimeout: .seconds(60)),
                        ws: .init(maxFrameSize: APILimits.maximumMessageBytes, autoPing: .enabled(timePeriod: .seconds(20)),
                                  closeTimeout: .seconds(2), validateUTF8: true))
                ) { request, channel, _ in
                    WebSocketUpgrade.decide(request: request, channel: channel, services: services)
                },
                services: services)
        }
        do {
            try await APIListener.run(router: router, endpoint: endpoint, makeChild: makeChild, onBound: onBound)
        } catch where !required {
            services.logger.warning("not listening on \(name): \(error)")
        } catch {
            throw APIServerError(description: "cannot listen on \(name): \(error)\(name.hasSuffix(":47615") ? " (is another proctord running?)" : "")")
        }
    }
}

public struct APIServerError: Error, CustomStringConvertible {
    public let description: String
}
