/// Event topics are dotted lowercase words: `gaze.sample`, `plugin.state`.
public enum Topic {
    public static let maximumLength = 64

    /// 1...64 bytes of [a-z0-9_], words separated by single dots.
    public static func isValid<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool {
        guard !bytes.isEmpty, bytes.count <= maximumLength else { return false }
        var previousWasDot = true
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"):
                previousWasDot = false
            case UInt8(ascii: "."):
                if previousWasDot { return false }
                previousWasDot = true
            default:
                return false
            }
        }
        return !previousWasDot
    }

    public static func isValid(_ topic: String) -> Bool { isValid(topic.utf8) }
}

/// What a subscriber asks for: `*` (everything), `gaze.*` (every topic under
/// `gaze.`, at any depth), or an exact topic such as `plugin.state`.
public struct TopicPattern: Sendable, Hashable, CustomStringConvertible {
    private enum Form: Sendable, Hashable {
        case all
        case prefix(String)  // includes the trailing dot
        case exact(String)
    }

    private let form: Form
    public let description: String

    public static let all = TopicPattern(form: .all, description: "*")

    private init(form: Form, description: String) {
        self.form = form
        self.description = description
    }

    /// Nil when `text` is neither `*`, a valid topic, nor a valid topic + `.*`.
    public init?(_ text: String) {
        if text == "*" {
            self = .all
        } else if text.hasSuffix(".*"), Topic.isValid(text.dropLast(2).utf8) {
            self.init(form: .prefix(String(text.dropLast())), description: text)
        } else if Topic.isValid(text) {
            self.init(form: .exact(text), description: text)
        } else {
            return nil
        }
    }

    public func matches(_ topic: String) -> Bool {
        switch form {
        case .all: true
        case .prefix(let prefix): topic.hasPrefix(prefix)
        case .exact(let exact): topic == exact
        }
    }
}
