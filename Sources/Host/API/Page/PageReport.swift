import ProctorJSON

/// One report of what the browser itself knows about the call page (its
/// visibility, focus, full screen, screen share), sent by the page as a host
/// request of the same name as the topic it becomes (docs/protocol.md, "Page
/// signals"). A page can say anything: its reports are weaker evidence than a
/// plugin's view of the desktop, and the events say they come from the page.
struct PageReport: Sendable, Equatable {
    /// The topic, which is also the request's method: `page.visibility`, ...
    let topic: String
    /// The page's fields, already checked (without `source`, `session`, `origin`).
    let fields: JSONObject

    /// Each method with its members: the name, the values allowed, whether it may be left out.
    private struct Member {
        let name: String
        let kind: Kind
        var optional = false
    }

    private enum Kind {
        case boolean
        case oneOf([String?])
    }

    private static let methods: [(String, [Member])] = [
        ("page.visibility", [Member(name: "visible", kind: .boolean)]),
        ("page.focus", [Member(name: "focused", kind: .boolean)]),
        ("page.fullscreen", [
            Member(name: "full_screen", kind: .boolean),
            Member(name: "keyboard_lock", kind: .oneOf(["locked", "off", "refused", "unsupported"]), optional: true),
        ]),
        ("page.screen_share", [
            Member(name: "track", kind: .oneOf(["live", "muted", "ended"])),
            Member(name: "display_surface", kind: .oneOf(["monitor", "window", "browser", nil]), optional: true),
        ]),
    ]

    static let topics = methods.map(\.0)

    /// `params` checked strictly against `method`'s members: a missing,
    /// unknown or mistyped member is `invalid_params` naming it and its value.
    static func parse(method: String, params: JSONValue?) throws(PageSignalError) -> PageReport {
        guard let members = methods.first(where: { $0.0 == method })?.1 else {
            throw PageSignalError("unknown_method", "no page signal \(JSONWriter.quoted(method))")
        }
        let usage = "\(method) takes " + signature(members)
        guard let given = params?.objectValue else {
            let what = params == nil || params == .null ? "no params" : "params of type \(params!.typeName)"
            throw PageSignalError("invalid_params", "\(what); \(usage)")
        }
        var fields: JSONObject = [:]
        for (key, value) in given.members {
            guard let member = members.first(where: { $0.name == key }) else {
                throw PageSignalError("invalid_params", "unknown param \(JSONWriter.quoted(key)); \(usage)")
            }
            switch member.kind {
            case .boolean:
                guard value.boolValue != nil else {
                    throw PageSignalError("invalid_params", "\(key) must be a boolean, not \(shown(value)); \(usage)")
                }
            case .oneOf(let allowed):
                guard allowed.contains(where: { $0.map(JSONValue.string) ?? .null == value }) else {
                    throw PageSignalError("invalid_params", "\(key) must be \(choices(allowed)), not \(shown(value)); \(usage)")
                }
            }
            fields[key] = value
        }
        for member in members where !member.optional && fields[member.name] == nil {
            throw PageSignalError("invalid_params", "\(member.name) is missing; \(usage)")
        }
        return PageReport(topic: method, fields: fields)
    }

    /// `{"visible": boolean}`, `{"track": "live"|"muted"|"ended", "display_surface"?: ...}`.
    private static func signature(_ members: [Member]) -> String {
        let parts = members.map { member -> String in
            let type = switch member.kind {
            case .boolean: "boolean"
            case .oneOf(let allowed): allowed.map { $0.map(JSONWriter.quoted) ?? "null" }.joined(separator: "|")
            }
            return "\"\(member.name)\"\(member.optional ? "?" : ""): \(type)"
        }
        return "{" + parts.joined(separator: ", ") + "}"
    }

    private static func choices(_ allowed: [String?]) -> String {
        let names = allowed.map { $0.map(JSONWriter.quoted) ?? "null" }
        return names.dropLast().joined(separator: ", ") + " or " + names.last!
    }

    /// A value as the error shows it: short, typed.
    private static func shown(_ value: JSONValue) -> String {
        let text = JSONWriter.compact(value)
        return text.count <= 40 ? text : "a \(value.typeName) of \(text.count) characters"
    }
}
