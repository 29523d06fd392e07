import ProctorJSON

/// A message a page sends on the signalling socket, or why it is not one.
enum SignalMessage: Equatable {
    case join(code: String, secret: String?, peerId: String)
    case signal(data: JSONValue)

    /// The reason a connection is closed with 4400, naming what was wrong.
    struct Malformed: Error, Equatable {
        let reason: String
    }

    static let maximumPeerIdLength = 128

    static func parse(_ text: String) throws(Malformed) -> SignalMessage {
        let value: JSONValue
        do { value = try JSONParser.parse(text) } catch { throw Malformed(reason: "bad JSON: \(error.message)") }
        guard case .object(let object) = value else { throw Malformed(reason: "a message must be a JSON object") }
        guard let type = object["type"]?.stringValue else { throw Malformed(reason: "a message needs a string \"type\"") }
        switch type {
        case "join":
            guard let code = object["code"]?.stringValue else { throw Malformed(reason: "join needs a string \"code\"") }
            guard let peerId = object["peerId"]?.stringValue, (1...maximumPeerIdLength).contains(peerId.count) else {
                throw Malformed(reason: "join needs a \"peerId\" string of 1 to \(maximumPeerIdLength) characters")
            }
            let secret = object["secret"]
            guard secret == nil || secret == .null || secret?.stringValue != nil else { throw Malformed(reason: "join's \"secret\" must be a string") }
            return .join(code: code, secret: secret?.stringValue, peerId: peerId)
        case "signal":
            guard case .object = object["data"] else { throw Malformed(reason: "signal needs a \"data\" object") }
            return .signal(data: object["data"]!)
        default:
            throw Malformed(reason: "unknown message type \(JSONWriter.quoted(String(type.prefix(40))))")
        }
    }
}
