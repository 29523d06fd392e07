import Foundation
import Hummingbird
import Logging

/// Serves the repository's `web/` directory on a free loopback port: the
/// "other site" a call page comes from in browser tests.
public final class StaticWebServer: @unchecked Sendable {
    public private(set) var port = 0
    private var task: Task<Void, any Error>?

    public init() {}

    public func start() async throws {
        let root = TestBuild.repositoryRoot + "/web"
        let router = Router()
        router.get("**") { request, _ -> Response in
            let path = request.uri.path
            guard !path.contains(".."), let data = FileManager.default.contents(atPath: root + path) else {
                return Response(status: .notFound)
            }
            let type = path.hasSuffix(".js") || path.hasSuffix(".mjs") ? "text/javascript" : path.hasSuffix(".css") ? "text/css" : "text/html"
            return Response(status: .ok, headers: [.contentType: type], body: .init(byteBuffer: .init(bytes: data)))
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) },
            logger: Logger(label: "static") { _ in SwiftLogNoOpLogHandler() })
        task = Task { try await app.runService(gracefulShutdownSignals: []) }
        var iterator = ports.makeAsyncIterator()
        port = await iterator.next() ?? 0
    }

    public func stop() async {
        task?.cancel()
        _ = try? await task?.value
    }
}
