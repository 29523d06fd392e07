import ProctorJSON

/// `integrity.context`: the events before an interview that tell the state
/// it began in, copied into the interview so its file alone is enough to
/// recompute the summary.
public enum IntegrityContext {
    public static func json(interview: String, events: [Event]) -> JSONValue {
        ["interview": .string(interview), "events": .array(events.map { event in
            ["seq": .number(Double(event.seq)), "ts": .string(event.timestamp.rfc3339),
             "ts_ms": .number(Double(event.timestamp.millisecondsSinceEpoch)), "plugin": .string(event.plugin),
             "topic": .string(event.topic), "data": (try? JSONParser.parse(event.data)) ?? [:]]
        })]
    }

    /// The events back from an `integrity.context` event's data.
    public static func events(_ data: JSONValue) -> [Event] {
        (data["events"]?.arrayValue ?? []).compactMap { item in
            guard let seq = item["seq"]?.intValue, let at = item["ts_ms"]?.intValue,
                let plugin = item["plugin"]?.stringValue, let topic = item["topic"]?.stringValue, let body = item["data"]
            else { return nil }
            return Event(seq: UInt64(seq), timestamp: Timestamp(millisecondsSinceEpoch: Int64(at)), plugin: plugin, topic: topic,
                         data: JSONWriter.compact(body))
        }
    }
}
