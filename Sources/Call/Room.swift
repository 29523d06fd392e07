import Foundation
import ProctorJSON

/// An interview room as the server keeps it: its times and the digests of
/// its codes and interviewer secret (the codes themselves are shown once, in
/// the answer that created the room, and never kept).
public struct Room: Sendable {
    public let id: String
    public let title: String
    public let startsAt: Date
    public let expiresAt: Date
    let codeDigests: [Role: SecretDigest]
    let secretDigest: SecretDigest

    /// Codes are accepted this long before the start, so people can set up their devices.
    public static let earlyAdmission: TimeInterval = 15 * 60

    public enum Admission: Equatable, Sendable {
        case open
        case notStarted(opensAt: Date)
        case expired(at: Date)
    }

    public func admission(at now: Date) -> Admission {
        if now >= expiresAt { return .expired(at: expiresAt) }
        let opens = startsAt.addingTimeInterval(-Self.earlyAdmission)
        if now < opens { return .notStarted(opensAt: opens) }
        return .open
    }

    /// The room as pages and the admin API see it: no code, no secret.
    public var json: JSONValue {
        ["id": .string(id), "title": .string(title),
         "startsAt": .string(CallTime.format(startsAt)), "expiresAt": .string(CallTime.format(expiresAt))]
    }
}

/// What creating a room gives its creator, once: the codes and the secret.
public struct RoomCredentials: Sendable {
    public let room: Room
    public let codes: [Role: RoomCode]
    public let interviewerSecret: String
}

/// Times as the contract writes them: RFC 3339 in UTC, whole seconds.
public enum CallTime {
    public static func format(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC")!))
    }

    public static func parse(_ text: String) -> Date? {
        if let date = try? Date.ISO8601FormatStyle().parse(text) { return date }
        return try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text)
    }
}
