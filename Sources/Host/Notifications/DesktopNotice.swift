import ProctorJSON

/// One desktop notification the agent asks the session plugin to show, in
/// plain words for the interviewee (the plugin's `notify` request).
public struct DesktopNotice: Sendable, Equatable {
    public struct Action: Sendable, Equatable {
        public var id: String
        public var label: String
        public init(id: String, label: String) {
            self.id = id
            self.label = label
        }
    }

    public var title: String
    public var body: String
    /// Notices with the same key are one notice: the plugin shows it once in its duplicate window.
    public var key: String
    public var actions: [Action]
    public var timeoutMs: Int?

    public init(title: String, body: String, key: String, actions: [Action] = [], timeoutMs: Int? = nil) {
        self.title = title
        self.body = body
        self.key = key
        self.actions = actions
        self.timeoutMs = timeoutMs
    }

    /// The `notify` request, marked as the agent's own: its key and budget are not the pages'.
    var request: String {
        var params: JSONObject = ["title": .string(title), "body": .string(body), "key": .string(key)]
        if !actions.isEmpty { params["actions"] = .array(actions.map { ["id": .string($0.id), "label": .string($0.label)] }) }
        if let timeoutMs { params["timeout_ms"] = .number(Double(timeoutMs)) }
        return JSONWriter.compact(["method": "notify", "params": .object(params), "caller": "agent"])
    }
}
