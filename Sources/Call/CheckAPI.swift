import Hummingbird
import ProctorJSON

/// `POST /api/rooms/check`: which room and role a code opens, before the
/// page asks for devices. Failed checks count against the client's address.
struct CheckAPI {
    let services: CallServices

    func add(to router: Router<CallRequestContext>) {
        router.post("/api/rooms/check") { request, context in
            let address = context.clientAddress
            // Counted before the body is read: a check is refused while too many of this address's failed.
            if let wait = services.limiter.attempt(address) { throw CallError.rateLimited(retryAfter: wait) }
            let answer: Response
            do {
                let body = try await JSONBody.object(request, context: context)
                guard let code = body["code"]?.stringValue else { throw CallError.badRequest("the body must be JSON with a string \"code\"") }
                let (room, role, peers) = try await services.registry.check(code: code, secret: body["secret"]?.stringValue)
                answer = JSONBody.response(["role": .string(role.rawValue), "room": room.json, "peers": .array(peers.map { .string($0.rawValue) })])
            } catch let error as CallError where error == .unknownCode || error == .wrongSecret {
                throw error  // stays counted
            } catch {
                services.limiter.succeeded(address)  // not a guess at a code: given back
                throw error
            }
            services.limiter.succeeded(address)
            return answer
        }
    }
}
