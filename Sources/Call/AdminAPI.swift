import Foundation
import Hummingbird
import ProctorJSON

/// `/api/admin/rooms`: create, list and delete rooms, for whoever holds the
/// admin secret (`Authorization: Bearer`). Wrong secrets count against the
/// client's address like wrong codes.
struct AdminAPI {
    let services: CallServices

    func add(to router: Router<CallRequestContext>) {
        let rooms = router.group("/api/admin/rooms")
        rooms.post { request, context in
            try authorize(request, context: context)
            let body = try await JSONBody.object(request, context: context, emptyIsObject: true)
            let (title, startsAt, duration) = try Self.roomRequest(body)
            let credentials = try await services.registry.create(title: title, startsAt: startsAt, duration: duration)
            return JSONBody.response(created(credentials), status: .created)
        }
        rooms.get { request, context in
            try authorize(request, context: context)
            return JSONBody.response(["rooms": .array(await services.registry.list())])
        }
        rooms.delete(":id") { request, context in
            try authorize(request, context: context)
            try await services.registry.delete(id: context.parameters.get("id") ?? "")
            return Response(status: .noContent, headers: [.cacheControl: "no-store"])
        }
    }

    private func authorize(_ request: Request, context: CallRequestContext) throws(CallError) {
        let address = context.clientAddress
        if let wait = services.limiter.retryAfter(address) { throw .rateLimited(retryAfter: wait) }
        guard services.adminSecret.authorizes(request.headers[.authorization]) else {
            services.limiter.recordFailure(address)
            throw .unauthorized
        }
    }

    /// `title` (default "Interview"), `startsAt` (default now) and
    /// `durationMinutes` (default 90); `durationSeconds` instead, for tests
    /// and demonstrations of expiry.
    static func roomRequest(_ body: JSONObject) throws(CallError) -> (String, Date?, TimeInterval) {
        var title = "Interview"
        if let value = body["title"] {
            guard let text = value.stringValue, (1...200).contains(text.count) else { throw .badRequest("title must be a string of 1 to 200 characters") }
            title = text
        }
        var startsAt: Date?
        if let value = body["startsAt"] {
            guard let text = value.stringValue, let date = CallTime.parse(text) else {
                throw .badRequest("startsAt must be an RFC 3339 time such as 2026-12-07T14:00:00Z, not \(JSONWriter.compact(value).prefix(60))")
            }
            startsAt = date
        }
        var duration: TimeInterval = 90 * 60
        if let value = body["durationSeconds"] {
            guard let seconds = value.intValue, (1...7 * 86400).contains(seconds) else { throw .badRequest("durationSeconds must be a whole number from 1 to 604800") }
            duration = TimeInterval(seconds)
        } else if let value = body["durationMinutes"] {
            guard let minutes = value.intValue, (1...7 * 1440).contains(minutes) else { throw .badRequest("durationMinutes must be a whole number from 1 to 10080") }
            duration = TimeInterval(minutes * 60)
        }
        return (title, startsAt, duration)
    }

    /// The one answer that holds the codes and the secret, with the links that carry them in the fragment.
    private func created(_ credentials: RoomCredentials) -> JSONValue {
        let origin = services.site.origin
        let interviewee = credentials.codes[.interviewee]!.grouped
        let interviewer = credentials.codes[.interviewer]!.grouped
        return [
            "room": credentials.room.json,
            "codes": ["interviewer": .string(interviewer), "interviewee": .string(interviewee)],
            "interviewerSecret": .string(credentials.interviewerSecret),
            "links": [
                "interviewee": .string("\(origin)/#code=\(interviewee)"),
                "interviewer": .string("\(origin)/interviewer#code=\(interviewer)&secret=\(credentials.interviewerSecret)"),
            ],
        ]
    }
}
