/// One event as every consumer sees it. The host gives it `seq`, `ts` and
/// `plugin`; the plugin gave `topic` and `data`. Immutable and shared by
/// reference, so fanning it out to many subscribers copies nothing.
public final class Event: Sendable {
    /// Gap-free within one agent session (`EventBus.agentSession`), from 1,
    /// or from above the stopped agent's seqs when a restart continues them.
    public let seq: UInt64
    public let timestamp: Timestamp
    /// The plugin id, or "host" for the agent's own events.
    public let plugin: String
    public let topic: String
    /// The event's data: a JSON object, as text.
    public let data: String
    /// The whole event as the protocol sends it:
    /// `{"topic":...,"seq":N,"ts":"...","plugin":"...","data":{...}}`.
    public let json: String

    public init(seq: UInt64, timestamp: Timestamp, plugin: String, topic: String, data: String) {
        self.seq = seq
        self.timestamp = timestamp
        self.plugin = plugin
        self.topic = topic
        self.data = data
        var json = "{\"topic\":\""
        json.reserveCapacity(data.utf8.count + topic.utf8.count + plugin.utf8.count + 72)
        json += topic  // topics and plugin ids are validated to need no escaping
        json += "\",\"seq\":"
        json += String(seq)
        json += ",\"ts\":\""
        json += timestamp.rfc3339
        json += "\",\"plugin\":\""
        json += plugin
        json += "\",\"data\":"
        json += data
        json += "}"
        self.json = json
    }

    /// Bytes this event holds on to, for memory bounds.
    var footprint: Int { json.utf8.count + data.utf8.count + 96 }
}
