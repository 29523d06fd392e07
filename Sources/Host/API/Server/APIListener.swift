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
    static func run(
        router: Router<APIRequestContext>, server: HTTPServerBuilder, host: String, port: Int,
        onBound: @escaping @Sendable (Int) -> Void
    ) async throws {
        let responder = router.buildResponder()
        let silent = Logger(label: "proctord.http") { _ in SwiftLogNoOpLogHandler() }
        let service = try server.buildServer(
            // A deep accept queue: a burst of connections from elsewhere must not
            // push the interviewee's SYN out (the kernel caps it at somaxconn).
            configuration: ServerConfiguration(address: .hostname(host, port: port), serverName: nil, backlog: 4096),
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            logger: silent
        ) { request, writer, channel in
            let context = APIRequestContext(source: .init(channel: channel, logger: silent))
            var response: Response
            do {
                response = try await responder.respond(to: request, context: context)
            } catch {
                response = Response(status: .internalServerError)
            }
            response.headers[.date] = HTTPDate.now()
            try await writer.write(response: response.head, body: response.body)
        } onServerRunning: { channel in
            onBound(channel.localAddress?.port ?? port)
        }
        try await service.run()
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
