import ProctorHost
import ProctorJSON

/// What the agent sends, written as the protocol's text messages.
public enum ServerMessage {
    public static func hello(agentSession: String, challenge: String, heartbeatMilliseconds: Int) -> String {
        message("hello", [
            "protocol": 1,
            "agent": ["name": "proctord", "version": .string(ProctorVersion.string)],
            "agent_session": .string(agentSession),
            "challenge": .string(challenge),
            "auth": ["pairing", "token"],
            "pairing": ["digits": 6],
            "heartbeat_interval_ms": .number(Double(heartbeatMilliseconds)),
            "limits": ["max_message_bytes": .number(Double(APILimits.maximumMessageBytes)),
                       "identify_timeout_ms": .number(Double(APILimits.identifyTimeoutMilliseconds))],
        ])
    }

    /// An event: the bus already wrote the event's JSON once for everyone.
    public static func event(_ event: Event) -> String {
        "{\"op\":\"event\",\"d\":" + event.json + "}"
    }

    public static func response(id: JSONValue, result: JSONValue) -> String {
        message("response", id: id, ["result": result])
    }

    public static func response(id: JSONValue, error code: String, _ text: String) -> String {
        message("response", id: id, ["error": ["code": .string(code), "message": .string(text)]])
    }

    /// A response whose `d` is a plugin's answer, already checked to be one
    /// JSON object.
    public static func response(id: JSONValue, rawAnswer: String) -> String {
        "{\"op\":\"response\",\"id\":" + JSONWriter.compact(id) + ",\"d\":" + rawAnswer + "}"
    }

    public static func heartbeat(lastSeq: UInt64) -> String {
        message("heartbeat", ["last_seq": .number(Double(lastSeq)), "ts": .string(Timestamp.now().rfc3339)])
    }

    public static func dropped(count: UInt64, total: UInt64, topics: [String]) -> String {
        message("dropped", ["count": .number(Double(count)), "total": .number(Double(total)),
                            "topics": .array(topics.map(JSONValue.string))])
    }

    /// An unusable message; `id` is the message's own, when it had one, so a
    /// client can fail the request it belongs to.
    public static func error(code: String, _ text: String, id: JSONValue? = nil) -> String {
        message("error", id: id, ["code": .string(code), "message": .string(text)])
    }

    public static func message(_ op: String, id: JSONValue? = nil, _ d: JSONValue) -> String {
        var object: JSONObject = ["op": .string(op)]
        if let id { object["id"] = id }
        object["d"] = d
        return JSONWriter.compact(.object(object))
    }
}

/// The protocol's fixed limits (docs/protocol.md, "Limits").
public enum APILimits {
    public static let maximumMessageBytes = 64 << 10
    public static let identifyTimeoutMilliseconds = 10_000
    /// A page that has not identified this long after hello is taken to wait
    /// for a person to type the pairing code (a page with a token identifies
    /// at once): the code is then shown as a desktop notification.
    public static let pairingNoticeDelayMilliseconds = 750
    public static let maximumPendingRequests = 16
    public static let clientQueueCapacity = 1024
    public static let requestTimeout: Duration = .seconds(10)
}
