#if canImport(Glibc)
import Glibc
#endif
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOPosix

/// One listening socket of the local API: the router behind the upgrade
/// channel, served by HummingbirdCore's server without hummingbird's
/// `Application`. `Application` also runs a task that formats the Date header
/// anew every second, which would wake the agent every second per listener
/// while nobody talks to it; here each answer formats its own Date.
enum APIListener {
    /// Where a listener serves: an address it binds, or a socket systemd
    /// already bound and handed over (socket activation).
    enum Endpoint: Sendable {
        case address(host: String, port: Int)
        case descriptor(Int32)
    }

    static func run<Child: ServerChildChannel>(
        router: Router<APIRequestContext>, endpoint: Endpoint,
        makeChild: @escaping @Sendable (@escaping HTTPChannelHandler.Responder) -> Child,
        onBound: @escaping @Sendable (Int) -> Void
    ) async throws {
        let responder = router.buildResponder()
        let silent = Logger(label: "proctord.http") { _ in SwiftLogNoOpLogHandler() }
        let respond: HTTPChannelHandler.Responder = { request, writer, channel in
            let context = APIRequestContext(source: .init(channel: channel, logger: silent))
            var response: Response
            do {
                response = try await responder.respond(to: request, context: context)
            } catch {
                response = Response(status: .internalServerError)
            }
            response.headers[.date] = HTTPDate.now()
            try await writer.write(response: response.head, body: response.body)
        }
        switch endpoint {
        case .address(let host, let port):
            let service = try HTTPServerBuilder { makeChild($0) }.buildServer(
                // A deep accept queue: a burst of connections from elsewhere must not
                // push the interviewee's SYN out (the kernel caps it at somaxconn).
                configuration: ServerConfiguration(address: .hostname(host, port: port), serverName: nil, backlog: 4096),
                eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
                logger: silent,
                responder: respond
            ) { channel in
                onBound(channel.localAddress?.port ?? port)
            }
            try await service.run()
        case .descriptor(let descriptor):
            try await serve(descriptor: descriptor, child: makeChild(respond), logger: silent, onBound: onBound)
        }
    }

    /// Returns once each of the event loops that serve the API has run a task:
    /// it does not when one of them is stuck, which the watchdog is for.
    static func eventLoopsTurn() async {
        for loop in MultiThreadedEventLoopGroup.singleton.makeIterator() { try? await loop.submit {}.get() }
    }

    /// HummingbirdCore binds its own sockets only, so a handed-over one is
    /// accepted on here with NIO, each connection given to the same child
    /// channel (HTTP/1 with the WebSocket upgrade) HummingbirdCore would use.
    private static func serve<Child: ServerChildChannel>(
        descriptor: Int32, child: Child, logger: Logger, onBound: @escaping @Sendable (Int) -> Void
    ) async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            .bind(descriptor) { channel in child.setup(channel: channel, logger: logger) }
        onBound(server.channel.localAddress?.port ?? 0)
        await withDiscardingTaskGroup { group in
            try? await server.executeThenClose { inbound in
                for try await connection in inbound {
                    group.addTask { await child.handle(value: connection, logger: logger) }
                }
            }
        }
    }
}

/// The current time as an HTTP Date header gives it (RFC 9110 IMF-fixdate).
enum HTTPDate {
    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func now() -> String { format(time(nil)) }

    static func format(_ seconds: time_t) -> String {
        var seconds = seconds
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}
