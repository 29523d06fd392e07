import ProctorJSON

/// An event a pure part of a plugin decided on; the plugin's watcher emits it.
public struct OutgoingEvent: Equatable, Sendable {
    public var topic: String
    public var data: JSONValue

    public init(_ topic: String, _ data: JSONValue) {
        self.topic = topic
        self.data = data
    }
}

extension Double {
    /// Seconds as whole milliseconds, for event fields named `*_ms`.
    public var milliseconds: JSONValue { .number((self * 1000).rounded()) }
}
