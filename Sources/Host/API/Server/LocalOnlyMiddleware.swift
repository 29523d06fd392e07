import HTTPTypes
import Hummingbird

/// Every plain HTTP request passes the Host and same-user checks before any
/// route sees it (the WebSocket upgrade is checked on its own path).
struct LocalOnlyMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let services: APIServices

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let checks = services.checks
        if let refusal = checks.checkHost(request.head.authority) ?? checks.checkPeer(client: context.remoteAddress, server: context.localAddress) {
            return refuse(refusal, request: request, context: context, services: services)
        }
        return try await next(request, context)
    }
}

/// A 403 with the reason in plain text, logged; past the per-source limit,
/// a 429 that is only counted.
func refuse(_ refusal: UpgradeGuard.Refusal, request: Request, context: APIRequestContext, services: APIServices) -> Response {
    let source = "\(context.remoteAddress?.ipAddress ?? "?") \((request.headers[.origin] ?? "-").prefix(100))"
    guard services.refusals.allow(source) else {
        return Response(status: .tooManyRequests, headers: PlainText.headers, body: .init(byteBuffer: .init(string: "too many refused requests\n")))
    }
    services.logger.warning("refused \(request.method) \(request.uri.path): \(refusal.reason)")
    return Response(status: .forbidden, headers: PlainText.headers, body: .init(byteBuffer: .init(string: refusal.reason + "\n")))
}

enum PlainText {
    static let headers: HTTPFields = [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"]
}
