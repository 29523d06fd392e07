import HTTPTypes
import Hummingbird

/// What a refused request is answered, for the request-head guard and the
/// routes alike: the reason, logged, while the per-source limit allows;
/// past it, `limited` (answered 429 and only counted).
struct RefusalAnswer {
    let limited: Bool
    let body: String

    init(reason: String, request: @autoclosure () -> String, address: String?, origin: String?, services: APIServices) {
        limited = !services.refusals.allow("\(address ?? "?") \((origin ?? "-").prefix(100))")
        if !limited { services.logger.warning("refused \(request()): \(reason)") }
        body = limited ? "too many refused requests\n" : reason + "\n"
    }
}

/// A route's refusal: 403 with the reason in plain text, and the connection
/// closed after it (RequestDeadlines acts on `Connection: close`).
func refuse(_ refusal: UpgradeGuard.Refusal, request: Request, context: APIRequestContext, services: APIServices) -> Response {
    let answer = RefusalAnswer(reason: refusal.reason, request: "\(request.method) \(request.uri.path)",
                               address: context.remoteAddress?.ipAddress, origin: request.headers[.origin], services: services)
    var headers = PlainText.headers
    headers[.connection] = "close"
    return Response(status: answer.limited ? .tooManyRequests : .forbidden, headers: headers, body: .init(byteBuffer: .init(string: answer.body)))
}

/// Routes only the agent's own page may use (they change what the agent
/// does): nil for its own Origin, else the refusal to send.
func ownPageOnly(_ what: String, request: Request, context: APIRequestContext, services: APIServices) -> Response? {
    if let origin = request.headers[.origin], services.checks.ownOrigins.contains(origin) { return nil }
    return refuse(.init(reason: "only the agent's own page may \(what)"), request: request, context: context, services: services)
}

enum PlainText {
    static let headers: HTTPFields = [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"]
}
