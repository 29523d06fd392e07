import HTTPTypes
import Hummingbird

/// Refuses a request whose `Host` is not the server's own (a DNS-rebinding
/// page would send its own name), and puts the security headers on every
/// answer: a strict Content Security Policy (no inline script or style; the
/// pages may reach this server and the agent on loopback), nosniff, no
/// referrer, and no framing.
struct SiteGuardMiddleware: RouterMiddleware {
    typealias Context = CallRequestContext
    let site: CallSite

    /// Pages may open WebSockets to this server (`'self'`) and to the agent
    /// on loopback, show their own images and blobs (screenshots, previews),
    /// and play blobs (a finished recording).
    static let contentSecurityPolicy = [
        "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data: blob:", "media-src 'self' blob:",
        "connect-src 'self' ws://127.0.0.1:*", "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
    ].joined(separator: "; ")

    static let headers: HTTPFields = [
        .contentSecurityPolicy: contentSecurityPolicy,
        HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        HTTPField.Name("Referrer-Policy")!: "no-referrer",
        HTTPField.Name("X-Frame-Options")!: "DENY",
        HTTPField.Name("Cross-Origin-Opener-Policy")!: "same-origin",
    ]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        if !site.accepts(host: request.head.authority) {
            response = CallError.wrongHost(request.head.authority).response
        } else {
            do {
                response = try await next(request, context)
            } catch let error as CallError {
                response = error.response
            } catch let error as HTTPError {
                response = CallError(code: error.status == .notFound ? "not_found" : "bad_request", message: error.body ?? "\(error.status)",
                                     status: error.status, closeCode: 4400).response
            }
        }
        for field in Self.headers where response.headers[field.name] == nil { response.headers.append(field) }
        return response
    }
}
