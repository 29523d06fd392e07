import ProctorHost
import ProctorJSON

/// A message from a client, parsed and checked; anything the agent cannot
/// use becomes `.invalid` with the error to send back.
public enum ClientMessage: Sendable, Equatable {
    case identify(Identify)
    case subscribe(id: JSONValue, topics: [TopicPattern])
    case request(id: JSONValue, target: String, method: String, params: JSONValue?)
    case heartbeat
    case invalid(code: String, message: String, id: JSONValue?)

    public struct Identify: Sendable, Equatable {
        public enum Auth: Sendable, Equatable {
            case pairing(proof: String)
            case token(String)
        }

        public var protocolVersion: Int
        public var clientName: String?
        public var auth: Auth
        public var subscribe: [TopicPattern]
        public var resume: (agentSession: String, afterSeq: UInt64)?

        public init(
            protocolVersion: Int, clientName: String?, auth: Auth, subscribe: [TopicPattern],
            resume: (agentSession: String, afterSeq: UInt64)?
        ) {
            self.protocolVersion = protocolVersion
            self.clientName = clientName
            self.auth = auth
            self.subscribe = subscribe
            self.resume = resume
        }

        public static func == (a: Identify, b: Identify) -> Bool {
            a.protocolVersion == b.protocolVersion && a.clientName == b.clientName && a.auth == b.auth
                && a.subscribe == b.subscribe && a.resume?.agentSession == b.resume?.agentSession
                && a.resume?.afterSeq == b.resume?.afterSeq
        }
    }

    public static let maximumPatterns = 64

    public static func parse(_ text: String) -> ClientMessage {
        let json: JSONValue
        do { json = try JSONParser.parse(text) } catch {
            return .invalid(code: "malformed_json", message: error.description, id: nil)
        }
        guard case .object(let object) = json else {
            return .invalid(code: "malformed", message: "a message must be a JSON object", id: nil)
        }
        let id = object["id"]
        if let id, !isValidID(id) {
            return .invalid(code: "malformed", message: "\"id\" must be a string or number of at most 64 characters", id: nil)
        }
        guard let op = object["op"]?.stringValue else {
            return .invalid(code: "malformed", message: "the message has no string \"op\"", id: id)
        }
        let d = object["d"] ?? [:]
        guard case .object = d else { return .invalid(code: "malformed", message: "\"d\" must be an object", id: id) }
        switch op {
        case "identify": return parseIdentify(d)
        case "subscribe":
            guard let id else { return .invalid(code: "malformed", message: "subscribe needs an \"id\"", id: nil) }
            switch patterns(d["topics"], field: "topics") {
            case .success(let topics): return .subscribe(id: id, topics: topics)
            case .failure(let message): return .invalid(code: "malformed", message: message.text, id: id)
            }
        case "request":
            guard let id else { return .invalid(code: "malformed", message: "request needs an \"id\"", id: nil) }
            guard let target = d["target"]?.stringValue, !target.isEmpty else {
                return .invalid(code: "malformed", message: "request needs a string \"d.target\"", id: id)
            }
            guard let method = d["method"]?.stringValue, !method.isEmpty, method.utf8.count <= 64 else {
                return .invalid(code: "malformed", message: "request needs a string \"d.method\" of at most 64 characters", id: id)
            }
            if let params = d["params"], params.objectValue == nil {
                return .invalid(code: "malformed", message: "\"d.params\" must be an object", id: id)
            }
            return .request(id: id, target: target, method: method, params: d["params"])
        case "heartbeat":
            return .heartbeat
        default:
            return .invalid(code: "unknown_op", message: "unknown op \(JSONWriter.quoted(String(op.prefix(64))))", id: id)
        }
    }

    private struct Message: Error { let text: String }

    private static func parseIdentify(_ d: JSONValue) -> ClientMessage {
        func bad(_ text: String) -> ClientMessage { .invalid(code: "malformed", message: "identify: " + text, id: nil) }
        guard let version = d["protocol"]?.intValue else { return bad("needs an integer \"protocol\"") }
        let auth: Identify.Auth
        if d["auth"]?["pairing"] != nil && d["auth"]?["token"] != nil {
            return bad("\"auth\" must hold a pairing proof or a token, not both")
        }
        if let proof = d["auth"]?["pairing"]?.stringValue, proof.utf8.count <= 128 {
            auth = .pairing(proof: proof)
        } else if let token = d["auth"]?["token"]?.stringValue, token.utf8.count <= 128 {
            auth = .token(token)
        } else {
            return bad("\"auth\" must be {\"pairing\": proof} or {\"token\": token}")
        }
        let subscribe: [TopicPattern]
        switch patterns(d["subscribe"] ?? [], field: "subscribe") {
        case .success(let list): subscribe = list
        case .failure(let message): return bad(message.text)
        }
        var resume: (String, UInt64)?
        if let r = d["resume"] {
            guard let session = r["agent_session"]?.stringValue, let after = r["after_seq"]?.intValue, after >= 0 else {
                return bad("\"resume\" must be {\"agent_session\": string, \"after_seq\": integer}")
            }
            resume = (session, UInt64(after))
        }
        let name = d["client"]?["name"]?.stringValue.map { String($0.prefix(80)) }
        return .identify(Identify(protocolVersion: version, clientName: name, auth: auth, subscribe: subscribe, resume: resume))
    }

    private static func patterns(_ value: JSONValue?, field: String) -> Result<[TopicPattern], Message> {
        guard let list = value?.arrayValue else { return .failure(Message(text: "\"\(field)\" must be an array of topic patterns")) }
        guard list.count <= maximumPatterns else {
            return .failure(Message(text: "\"\(field)\" has \(list.count) patterns; at most \(maximumPatterns)"))
        }
        var out: [TopicPattern] = []
        for item in list {
            guard let text = item.stringValue, let pattern = TopicPattern(text) else {
                return .failure(Message(text: "\(JSONWriter.compact(item).prefix(70)) is not a topic pattern ('*', 'gaze.*' or 'plugin.state')"))
            }
            out.append(pattern)
        }
        return .success(out)
    }

    private static func isValidID(_ id: JSONValue) -> Bool {
        switch id {
        case .string(let s): s.utf8.count <= 64
        case .number(let n): n.isFinite
        default: false
        }
    }
}
