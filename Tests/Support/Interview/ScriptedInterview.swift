import GRDB
import ProctorHost
import ProctorJSON

/// An interview file written through the store's own code
/// (`InterviewFile.create`, its tables) with events whose seqs and times a
/// test chooses: what a real agent would have written, without waiting an
/// hour for it. Rows go in as `StoreWriter` writes them.
public final class ScriptedInterview {
    public let id: String
    public let path: String
    public let startMs: Int64
    private let database: DatabaseQueue
    private var events: [(seq: Int64, ms: Int64, plugin: String, topic: String, data: String)] = []
    private var latestState: [String: (seq: Int64, data: String)] = [:]
    public private(set) var nextSeq: Int64

    /// Creates `<directory>/<id>.sqlite` with the interview's row and the
    /// plugins' states at its start.
    public init(directory: String, id: String, title: String?, session: String = "s_scripted", startMs: Int64,
                firstSeq: Int64 = 100, initialStates: [PluginState] = [], schemaVersion: Int = 3) throws {
        self.id = id
        self.startMs = startMs
        path = InterviewFile.path(directory: directory, id: id)
        nextSeq = firstSeq
        database = try InterviewFile.create(path)
        try database.write { db in
            try db.execute(sql: "INSERT INTO interview (id, title, session, started_ms, first_seq) VALUES (?, ?, ?, ?, ?)",
                           arguments: [id, title, session, startMs, firstSeq])
            for state in initialStates {
                try db.execute(sql: "INSERT INTO plugin_states (plugin, seq, data) VALUES (?, 0, ?)",
                               arguments: [state.plugin, JSONWriter.compact(state.json)])
                try db.execute(sql: "INSERT INTO start_states (topic, key, seq, ts_ms, plugin, data) VALUES ('plugin.state', ?, 0, ?, 'host', ?)",
                               arguments: [state.plugin, startMs, JSONWriter.compact(state.json)])
            }
            // A file as an older agent wrote it: the tables its version did not have are missing.
            if schemaVersion < 3 { try db.execute(sql: "DROP TABLE start_states; PRAGMA user_version = \(schemaVersion)") }
        }
        add(at: startMs, "host", "interview.started",
            #"{"interview":"\#(id)","started_at":"\#(Timestamp(millisecondsSinceEpoch: startMs).rfc3339)","first_seq":\#(firstSeq)}"#)
    }

    /// Adds one event at `ms`; returns its seq.
    @discardableResult
    public func add(at ms: Int64, _ plugin: String, _ topic: String, _ data: String) -> Int64 {
        let seq = nextSeq
        nextSeq += 1
        events.append((seq, ms, plugin, topic, data))
        if topic == "plugin.state", let plugin = (try? JSONParser.parse(data))?["plugin"]?.stringValue { latestState[plugin] = (seq, data) }
        if events.count >= 50_000 { try? flush() }
        return seq
    }

    @discardableResult
    public func add(at ms: Int64, _ plugin: String, _ topic: String, _ data: JSONValue) -> Int64 {
        add(at: ms, plugin, topic, JSONWriter.compact(data))
    }

    /// Writes the events so far.
    public func flush() throws {
        let batch = events
        events.removeAll(keepingCapacity: true)
        try database.write { db in
            let insert = try db.cachedStatement(sql: "INSERT INTO events (seq, ts_ms, topic, plugin, data) VALUES (?, ?, ?, ?, ?)")
            for event in batch { try insert.execute(arguments: [event.seq, event.ms, event.topic, event.plugin, event.data]) }
        }
    }

    /// Ends the interview at `endMs` as `interview.end` would; nil leaves it
    /// open, as an agent killed during it does.
    public func finish(endMs: Int64?, reason: String = "request") throws {
        var lastSeq: Int64?
        if let endMs {
            lastSeq = add(at: endMs, "host", "interview.ended", [
                "interview": .string(id), "reason": .string(reason), "ended_at": .string(Timestamp(millisecondsSinceEpoch: endMs).rfc3339),
                "duration_s": .number(Double(endMs - startMs) / 1000),
            ])
        }
        try flush()
        try database.write { db in
            for (plugin, state) in latestState {
                try db.execute(sql: "INSERT OR REPLACE INTO plugin_states (plugin, seq, data) VALUES (?, ?, ?)", arguments: [plugin, state.seq, state.data])
            }
            if let endMs {
                try db.execute(sql: "UPDATE interview SET ended_ms = ?, end_reason = ?, last_seq = ?", arguments: [endMs, reason, lastSeq])
            }
        }
        try database.close()
    }
}
