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
    private let boundPort = Atomic<Int>(0)

    public init(agent: Agent, config: AgentConfig.APIConfig, paths: AgentPaths, logger: Logger) {
        self.requestedPort = config.port
        let checks = UpgradeGuard(port: config.port, allowedOrigins: config.allowedOrigins, uid: getuid())
        let sessions = SessionRegistry(file: paths.runtimeDirectory + "/sessions.json", lifetimeSeconds: config.tokenLifetimeSeconds)
        let clients = ClientRegistry()
        services = APIServices(
            agent: agent, bus: agent.bus,
            pairing: PairingService { code, expiresAt in
                logger.notice("pairing code: \(code.prefix(3)) \(code.dropFirst(3)) (valid until \(Timestamp(seconds: expiresAt).rfc3339))")
            },
            sessions: sessions, clients: clients, checks: checks, refusals: RefusalLimiter(),
            agentSession: Secret.token(bytes: 12), thinTopics: Set(config.thinTopics),
            heartbeatInterval: .seconds(15), webDirectory: paths.webDirectory, logger: logger)
        sessions.onRevoke { id in
            logger.notice("session \(id) revoked")
            Task { await clients.close(session: id, code: .sessionRevoked, reason: "the session was revoked") }
        }
    }

    /// The port the API listens on (known once `run` has bound it).
    public var port: Int { boundPort.load(ordering: .relaxed) }

    /// Serves until the calling task is cancelled; then closes every client
    /// with 1001 and stops listening.
    public func run(onListening: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        let (ready, readyContinuation) = AsyncStream.makeStream(of: Int.self)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { readyContinuation.finish() }  // a failed bind must not leave the wait below hanging
                try await self.serve(host: "127.0.0.1", port: self.requestedPort, required: true) { readyContinuation.yield($0) }
            }
            var iterator = ready.makeAsyncIterator()
            guard let port = await iterator.next() else {
                try await group.next()  // rethrows why 127.0.0.1 could not be served
                return
            }
            boundPort.store(port, ordering: .relaxed)
            // ::1 on the same port; a machine without IPv6 loopback still serves IPv4.
            group.addTask { try await self.serve(host: "::1", port: port, required: false) { _ in } }
            services.logger.notice("local API on ws://127.0.0.1:\(port)/v1 and http://127.0.0.1:\(port)/")
            onListening(port)
            let housekeeping = Task {
                while (try? await Task.sleep(for: .seconds(1))) != nil { _ = services.pairing.current() }
            }
            defer { housekeeping.cancel() }
            await withTaskCancellationHandler {
                _ = await Result(catching: { try await group.next() })
            } onCancel: {
                housekeeping.cancel()
            }
            await services.clients.closeAll(code: .goingAway, reason: "the agent is shutting down")
            group.cancelAll()
            try await group.waitForAll()
        }
    }

    private func serve(host: String, port: Int, required: Bool, onBound: @escaping @Sendable (Int) -> Void) async throws {
        let router = Router(context: APIRequestContext.self)
        router.add(middleware: LocalOnlyMiddleware(services: services))
        APIRoutes(services: services).add(to: router)
        let services = self.services
        let app = Application(
            router: router,
            server: HTTPServerBuilder { responder in
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
            },
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in onBound(channel.localAddress?.port ?? port) },
            logger: Logger(label: "proctord.http") { _ in SwiftLogNoOpLogHandler() })
        do {
            try await app.runService(gracefulShutdownSignals: [])
        } catch where !required {
            services.logger.warning("not listening on [\(host)]:\(port): \(error)")
        } catch {
            throw APIServerError(description: "cannot listen on \(host):\(port): \(error)\(port == 47615 ? " (is another proctord running?)" : "")")
        }
    }
}

public struct APIServerError: Error, CustomStringConvertible {
    public let description: String
}
