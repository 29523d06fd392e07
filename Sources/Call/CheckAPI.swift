import Hummingbird
import ProctorJSON

/// `POST /api/rooms/check`: which room and role a code opens, before the
/// page asks for devices. Failed checks count against the client's address.
struct CheckAPI {
    let services: CallServices

    func add(to router: Router<CallRequestContext>) {
        router.post("/api/rooms/check") { request, context in
            let address = context.clientAddress
            if let wait = services.limiter.retryAfter(address) { throw CallError.rateLimited(retryAfter: wait) }
            let body = try await JSONBody.object(request, context: context)
            guard let code = body["code"]?.stringValue else { throw CallError.badRequest("the body must be JSON with a string \"code\"") }
            do {
                let (room, role, peers) = try await services.registry.check(code: code, secret: body["secret"]?.stringValue)
                return JSONBody.response(["role": .string(role.rawValue), "room": room.json, "peers": .array(peers.map { .string($0.rawValue) })])
            } catch let error as CallError {
                if error == .unknownCode || error == .wrongSecret { services.limiter.recordFailure(address) }
                throw error
            }
        }
    }
}
