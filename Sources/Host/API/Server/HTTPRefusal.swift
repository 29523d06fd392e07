import HTTPTypes
import Hummingbird

/// A route's refusal: 403 with the reason in plain text, logged, and the
/// connection closed after it (RequestDeadlines acts on `Connection:
/// close`); past the per-source limit, a 429 that is only counted.
func refuse(_ refusal: UpgradeGuard.Refusal, request: Request, context: APIRequestContext, services: APIServices) -> Response {
    let source = "\(context.remoteAddress?.ipAddress ?? "?") \((request.headers[.origin] ?? "-").prefix(100))"
    var headers = PlainText.headers
    headers[.connection] = "close"
    guard services.refusals.allow(source) else {
        return Response(status: .tooManyRequests, headers: headers, body: .init(byteBuffer: .init(string: "too many refused requests\n")))
    }
    services.logger.warning("refused \(request.method) \(request.uri.path): \(refusal.reason)")
    return Response(status: .forbidden, headers: headers, body: .init(byteBuffer: .init(string: refusal.reason + "\n")))
}

enum PlainText {
    static let headers: HTTPFields = [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"]
}
