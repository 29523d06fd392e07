import PluginKit
import ProctorJSON

/// The `notify` request's params, checked: what to show and how.
struct NotificationRequest: Sendable, Equatable {
    struct Action: Sendable, Equatable {
        var id: String
        var label: String
    }

    var title: String
    var body: String
    /// What makes two notifications the same; nil: their title and text.
    var key: String?
    var actions: [Action]
    var urgency: UInt8
    var timeoutMs: Int?

    static let usage = "notify takes {\"title\": string, \"body\"?: string, \"key\"?: string, \"actions\"?: [{\"id\", \"label\"}], \"urgency\"?: \"low\"|\"normal\"|\"critical\", \"timeout_ms\"?: integer}"

    init(_ params: JSONValue?) throws(PluginRequestError) {
        guard let object = params?.objectValue else { throw .invalidParams(Self.usage) }
        for (name, _) in object.members where !["title", "body", "key", "actions", "urgency", "timeout_ms"].contains(name) {
            throw .invalidParams("unknown param \(JSONWriter.quoted(name)); \(Self.usage)")
        }
        title = try Self.text(object["title"], "title", maximum: 200, required: true)
        body = try Self.text(object["body"], "body", maximum: 2000, required: false)
        if object["key"] == nil {
            key = nil
        } else {
            key = try Self.text(object["key"], "key", maximum: 200, required: true)
        }
        actions = []
        if let list = object["actions"] {
            guard let items = list.arrayValue, items.count <= 3 else { throw .invalidParams("actions must be an array of at most 3 {\"id\", \"label\"}") }
            for (index, item) in items.enumerated() {
                let id = try Self.text(item["id"], "actions[\(index)].id", maximum: 64, required: true)
                guard id != "default" else { throw .invalidParams("actions[\(index)].id: \"default\" is the notification server's own") }
                actions.append(Action(id: id, label: try Self.text(item["label"], "actions[\(index)].label", maximum: 40, required: true)))
            }
        }
        switch object["urgency"] {
        case nil, .some(.string("normal")): urgency = 1
        case .some(.string("low")): urgency = 0
        case .some(.string("critical")): urgency = 2
        case let other?: throw .invalidParams("urgency must be \"low\", \"normal\" or \"critical\", not \(JSONWriter.compact(other))")
        }
        switch object["timeout_ms"] {
        case nil: timeoutMs = nil
        case let value?:
            guard let ms = value.intValue, (-1...600_000).contains(ms) else {
                throw .invalidParams("timeout_ms must be an integer from -1 to 600000, not \(JSONWriter.compact(value))")
            }
            timeoutMs = ms
        }
    }

    /// The key the duplicate rule compares.
    var identity: String { key ?? title + "\n" + body }

    private static func text(_ value: JSONValue?, _ name: String, maximum: Int, required: Bool) throws(PluginRequestError) -> String {
        guard let value else {
            if required { throw .invalidParams("\(name) is missing; \(usage)") }
            return ""
        }
        guard let text = value.stringValue else { throw .invalidParams("\(name) must be a string, not \(JSONWriter.compact(value))") }
        guard !required || !text.allSatisfy(\.isWhitespace) else { throw .invalidParams("\(name) must not be blank") }
        guard text.count <= maximum else { throw .invalidParams("\(name) must be at most \(maximum) characters (got \(text.count))") }
        return text
    }

    /// `text` safe for a server that reads the body as markup ("body-markup").
    static func escapedMarkup(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
