import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// The call server: the pages, the code check, the admin API and the
/// signalling WebSocket on one port, http or (with a certificate) https.
public struct CallServer: Sendable {
    public let services: CallServices

    public init(services: CallServices) { self.services = services }

    /// Serves until the calling task is cancelled. `onListening` gets the
    /// bound port (the configured one, or the one picked for port 0).
    public func run(onListening: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        let services = self.services
        let config = services.config
        let router = Router(context: CallRequestContext.self)
        router.add(middleware: SiteGuardMiddleware(site: services.site))
        router.get("/healthz") { _, _ in JSONBody.response(["status": "ok"]) }
        router.get("/api/signal") { request, _ in
            // Reached only when the upgrade was refused: say why.
            if !services.site.accepts(origin: request.headers[.origin]) { throw CallError.wrongOrigin(request.headers[.origin]) }
            return Response(status: .upgradeRequired, headers: [.contentType: "text/plain; charset=utf-8"],
                            body: .init(byteBuffer: .init(string: "this is the signalling WebSocket: connect with a WebSocket client\n")))
        }
        CheckAPI(services: services).add(to: router)
        AdminAPI(services: services).add(to: router)
        StaticPages(webDirectory: services.webDirectory).add(to: router)

        let webSocket = HTTPServerBuilder { responder in
            GuardedUpgradeChannel(
                inner: HTTP1WebSocketUpgradeChannel(
                    responder: responder,
                    configuration: .init(
                        http1: .init(idleTimeout: .seconds(60)),
                        // Pinged by the session itself, which drops a silent peer after a minute (autoPing would after one period).
                        ws: .init(maxFrameSize: SignallingSession.maximumMessageBytes, autoPing: .disabled,
                                  closeTimeout: .seconds(2), validateUTF8: true))
                ) { request, channel, _ in
                    // UpgradeGuard answered a wrong Host, Origin or path; checked again here all the same.
                    guard request.path?.split(separator: "?").first == "/api/signal", services.site.accepts(host: request.authority),
                          services.site.accepts(origin: request.headerFields[.origin])
                    else { return .dontUpgrade }
                    let address = channel.remoteAddress?.ipAddress ?? "unknown"
                    let activity = PeerActivity()
                    do {
                        // The upgrade appends the WebSocket codec after this: it sees the raw bytes, pongs included.
                        try channel.pipeline.syncOperations.addHandler(activity.stamp, position: .last)
                    } catch {
                        return .dontUpgrade
                    }
                    return .upgrade([:]) { inbound, outbound, _ in
                        await SignallingSession(services: services, channel: channel, address: address, activity: activity)
                            .run(inbound: inbound, outbound: outbound)
                    }
                },
                site: services.site)
        }
        let builder: HTTPServerBuilder
        if let certificate = config.certificate, let key = config.privateKey {
            builder = try .tls(webSocket, tlsConfiguration: try Self.tlsConfiguration(certificate: certificate, privateKey: key))
        } else {
            builder = webSocket
        }
        let responder = router.buildResponder()
        let silent = Logger(label: "proctord-call.http") { _ in SwiftLogNoOpLogHandler() }
        let respond: HTTPChannelHandler.Responder = { request, writer, channel in
            let context = CallRequestContext(source: .init(channel: channel, logger: silent))
            var response: Response
            do {
                response = try await responder.respond(to: request, context: context)
            } catch {
                response = Response(status: .internalServerError)
                response.headers.append(contentsOf: SiteGuardMiddleware.headers)  // every response carries them, this one too
            }
            try await writer.write(response: response.head, body: response.body)
        }
        let server = try builder.buildServer(
            configuration: ServerConfiguration(address: .hostname(config.host, port: config.port), serverName: nil, backlog: 4096),
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: silent, responder: respond
        ) { channel in
            let port = channel.localAddress?.port ?? config.port
            services.site.bind(config: config, port: port)
            services.logger.notice("call server on \(services.site.origin) (listening on \(config.host):\(port))")
            onListening(port)
        }
        try await server.run()
    }

    static func tlsConfiguration(certificate: String, privateKey: String) throws -> TLSConfiguration {
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(certificate).map { NIOSSLCertificateSource.certificate($0) }
            let key = try NIOSSLPrivateKey(file: privateKey, format: .pem)
            return TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
        } catch {
            throw CallConfig.Invalid(description: "tls: cannot use \(certificate) and \(privateKey): \(error)")
        }
    }
}
