import ProctorHost
import ProctorJSON

/// A paired page: which origin, when it paired, until when its token is
/// good. The token itself is never kept, only its SHA-256.
public struct SessionRecord: Sendable, Equatable {
    public var id: String
    public var origin: String
    public var clientName: String?
    public var tokenSHA256: String
    public var createdAt: Double
    public var expiresAt: Double

    public var json: JSONValue {
        var object: JSONObject = [
            "id": .string(id), "origin": .string(origin), "token_sha256": .string(tokenSHA256),
            "created_at": .number(createdAt), "expires_at": .number(expiresAt),
        ]
        if let clientName { object["client"] = .string(clientName) }
        return .object(object)
    }

    /// What the interviewee sees: no hash.
    public var publicJSON: JSONValue {
        var object: JSONObject = [
            "session": .string(id), "origin": .string(origin),
            "created_at": .string(Timestamp(seconds: createdAt).rfc3339),
            "token_expires_at": .string(Timestamp(seconds: expiresAt).rfc3339),
        ]
        if let clientName { object["client"] = .string(clientName) }
        return .object(object)
    }

    init?(json: JSONValue) {
        guard let id = json["id"]?.stringValue, let origin = json["origin"]?.stringValue,
            let hash = json["token_sha256"]?.stringValue, let created = json["created_at"]?.doubleValue,
            let expires = json["expires_at"]?.doubleValue
        else { return nil }
        self.init(id: id, origin: origin, clientName: json["client"]?.stringValue, tokenSHA256: hash,
                  createdAt: created, expiresAt: expires)
    }

    init(id: String, origin: String, clientName: String?, tokenSHA256: String, createdAt: Double, expiresAt: Double) {
        self.id = id
        self.origin = origin
        self.clientName = clientName
        self.tokenSHA256 = tokenSHA256
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

extension Timestamp {
    init(seconds: Double) { self.init(millisecondsSinceEpoch: Int64((seconds * 1000).rounded())) }
}
