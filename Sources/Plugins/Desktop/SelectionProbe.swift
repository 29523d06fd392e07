import ProctorJSON
import X11Support

/// One selection owner being asked what it offers: first its TARGETS, then
/// the measured target's size (through INCR chunks when it is large), and the
/// content only when the config asks for it. Ends in one `desktop.clipboard`.
struct SelectionProbe {
    enum Phase: Equatable {
        case targets
        case converting(target: X11Atom)
        /// An INCR transfer of `target`: chunks arrive one property at a time.
        case incremental(target: X11Atom)
    }

    let selection: String
    /// Our property on the helper window this probe's conversions land in.
    let property: X11Atom
    /// nil on Wayland, which does not say who offers a selection.
    let owner: WindowID?
    let change: String
    let app: AppIdentity?
    let isCallPage: Bool
    var phase = Phase.targets
    var deadline: Double
    var targets: [String]?
    var sizeType: String?
    var size: Int?
    var content: [UInt8] = []

    init(selection: String, property: X11Atom, owner: WindowID?, change: String, app: AppIdentity?, isCallPage: Bool, deadline: Double) {
        self.selection = selection
        self.property = property
        self.owner = owner
        self.change = change
        self.app = app
        self.isCallPage = isCallPage
        self.deadline = deadline
    }

    /// Adds content read from the owner, keeping at most `limit` bytes.
    mutating func append(_ bytes: [UInt8], limit: Int) {
        content += bytes.prefix(max(0, limit - content.count))
    }

    /// Less content was read than the owner offered.
    var truncated: Bool { (size ?? 0) > content.count }

    /// `selection` has no owner any more (it cleared it, or went away).
    static func cleared(_ selection: String) -> OutgoingEvent {
        OutgoingEvent("desktop.clipboard", [
            "selection": .string(selection), "change": "cleared", "owner": .null, "app": .null, "call_page": false,
            "targets": .null, "size_bytes": .null, "size_type": .null, "complete": true,
        ])
    }

    /// The event, `complete` when the owner answered everything asked.
    func event(complete: Bool, content mode: DesktopSettings.Content) -> OutgoingEvent {
        var data: JSONObject = [
            "selection": .string(selection), "change": .string(change), "owner": owner.map { .string($0.description) } ?? .null,
            "app": app?.json ?? .null, "call_page": .bool(isCallPage),
            "targets": targets.map { .array(SelectionTargets.contentTypes($0).map(JSONValue.string)) } ?? .null,
            "size_bytes": size.map { .number(Double($0)) } ?? .null,
            "size_type": sizeType.map(JSONValue.string) ?? .null,
            "complete": .bool(complete),
        ]
        if complete && sizeType != nil {
            switch mode {
            case .none: break
            case .sha256:
                data["content_sha256"] = .string(SHA256.hex(content))
                data["content_truncated"] = .bool(truncated)
            case .text where SelectionTargets.isText(sizeType!):
                data["content"] = .string(String(decoding: content, as: UTF8.self))
                data["content_truncated"] = .bool(truncated)
            case .text: break
            }
        }
        return OutgoingEvent("desktop.clipboard", .object(data))
    }
}
