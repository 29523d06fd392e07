import HTTPTypes
import Hummingbird
import ProctorHost
import ProctorJSON

/// The plain HTTP side of the local API: the health check, the agent's own
/// page and its status, and the answer for a `/v1` request that was not
/// upgraded (the reason it was refused).
struct APIRoutes {
    let services: APIServices

    func add(to router: Router<APIRequestContext>) {
        router.get("/healthz") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                     body: .init(byteBuffer: .init(string: #"{"status":"ok"}"#)))
        }
        router.get("/v1") { request, context in
            if let refusal = services.checks.checkOrigin(request.headers[.origin]) {
                return refuse(refusal, request: request, context: context, services: services)
            }
            return Response(status: .upgradeRequired, headers: PlainText.headers,
                            body: .init(byteBuffer: .init(string: "this is proctord's WebSocket: connect with a WebSocket client\n")))
        }
        LocalPage(services: services).add(to: router)
    }
}
