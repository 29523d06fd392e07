import Foundation
import HTTPTypes
import Hummingbird
import ProctorJSON

/// A refusal as the contract names it: one code, with its HTTP status for
/// the REST API and its close code for the signalling WebSocket.
public struct CallError: Error, Sendable, Equatable {
    public let code: String
    public let message: String
    public let status: HTTPResponse.Status
    public let closeCode: UInt16
    /// For `rate_limited`: when the address may try again.
    public var retryAfterMilliseconds: Int?

    public static func badRequest(_ message: String) -> CallError { .init(code: "bad_request", message: message, status: .badRequest, closeCode: 4400) }
    public static let unknownCode = CallError(code: "unknown_code", message: "no room has this code", status: .notFound, closeCode: 4404)
    public static let wrongSecret = CallError(
        code: "wrong_secret", message: "this is an interviewer code: it needs the room's interviewer secret too", status: .forbidden, closeCode: 4403)
    public static func notStarted(opensAt: Date) -> CallError {
        .init(code: "not_started", message: "this room opens at \(CallTime.format(opensAt)), 15 minutes before its start", status: .tooEarly, closeCode: 4425)
    }
    public static func expired(at: Date) -> CallError {
        .init(code: "expired", message: "this room's codes expired at \(CallTime.format(at))", status: .gone, closeCode: 4410)
    }
    public static func roomFull(_ role: Role) -> CallError {
        .init(code: "room_full", message: "this interview already has an \(role.rawValue)", status: .conflict, closeCode: 4409)
    }
    public static func rateLimited(retryAfter seconds: TimeInterval) -> CallError {
        var error = CallError(
            code: "rate_limited", message: "too many wrong codes from this address: try again in \(Int(seconds.rounded(.up))) s",
            status: .tooManyRequests, closeCode: 4429)
        error.retryAfterMilliseconds = Int((seconds * 1000).rounded(.up))
        return error
    }
    public static let unauthorized = CallError(
        code: "unauthorized", message: "the admin API needs Authorization: Bearer <admin secret>", status: .unauthorized, closeCode: 4401)
    public static func unknownRoom(_ id: String) -> CallError {
        .init(code: "unknown_room", message: "no room has the id \(JSONWriter.quoted(String(id.prefix(40))))", status: .notFound, closeCode: 4404)
    }
    public static func tooManyRooms(_ maximum: Int) -> CallError {
        .init(code: "too_many_rooms", message: "the server holds \(maximum) rooms already (rooms.max in call.json)", status: .serviceUnavailable, closeCode: 4503)
    }
    public static func wrongHost(_ host: String?) -> CallError {
        .init(code: "wrong_host", message: "this server does not answer for the host \(JSONWriter.quoted(String((host ?? "").prefix(100))))",
              status: .misdirectedRequest, closeCode: 4421)
    }
    public static func wrongOrigin(_ origin: String?) -> CallError {
        .init(code: "wrong_origin", message: "the signalling socket is only for this server's own pages, not \(JSONWriter.quoted(String((origin ?? "no Origin").prefix(100))))",
              status: .forbidden, closeCode: 4403)
    }

    /// `{"code", "message"}` (and `retryAfterMs`), the body of both kinds of answer.
    public var fields: JSONObject {
        var object: JSONObject = ["code": .string(code), "message": .string(message)]
        if let retryAfterMilliseconds { object["retryAfterMs"] = .number(Double(retryAfterMilliseconds)) }
        return object
    }

    /// The HTTP answer: `{"error": {...}}`, never cached.
    public var response: Response {
        var headers: HTTPFields = [.contentType: "application/json", .cacheControl: "no-store"]
        if let retryAfterMilliseconds { headers[.retryAfter] = String((retryAfterMilliseconds + 999) / 1000) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: .init(string: JSONWriter.compact(["error": .object(fields)]))))
    }
}
