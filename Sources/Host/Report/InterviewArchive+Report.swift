import GRDB
import ProctorJSON

extension InterviewArchive {
    /// Builds interview `id`'s report from its file, reading the events in
    /// seq order once. Works on an interview still running (WAL: the writer
    /// goes on) and on one that never ended (it then ends at its last event).
    public func report(_ id: String, generatedAt: Timestamp = .now()) throws(Failure) -> InterviewReport {
        let interview = try summary(id)
        let queue = try open(id)
        defer { try? queue.close() }
        do {
            return try queue.read { db in try Self.report(db, interview: interview, generatedAt: generatedAt) }
        } catch { throw Failure(description: "\(path(id)): \(InterviewFile.describe(error))") }
    }

    static func report(_ db: Database, interview: JSONValue, generatedAt: Timestamp) throws -> InterviewReport {
        guard let row = try Row.fetchOne(db, sql: "SELECT started_ms, ended_ms FROM interview") else {
            throw Failure(description: "the interview table is empty")
        }
        let startMs: Int64 = row["started_ms"]
        var initial: [String: JSONValue] = [:]
        var known: [String] = []
        let started = try StoredEvents.startStates(db)
        for state in try Row.fetchAll(db, sql: "SELECT plugin, seq, data FROM plugin_states") {
            let plugin: String = state["plugin"]
            known.append(plugin)
            // A file before schema 3 has no start_states: its plugin_states rows still of seq 0 are the start.
            if started.isEmpty, state["seq"] as Int64 == 0 { initial[plugin] = try? JSONParser.parse(state["data"] as String) }
        }
        for state in started where state.topic == "plugin.state" {
            guard let data = try? JSONParser.parse(state.data), let plugin = data["plugin"]?.stringValue else { continue }
            initial[plugin] = data
        }
        var builder = ReportBuilder(startMs: startMs, initialStates: initial, knownPlugins: known)
        // The screen's size when the interview began, for the heatmap, unless the interview's own events change it.
        for state in started where state.topic == "screen.monitors" { builder.startScreen(state.data) }
        let cursor = try Row.fetchCursor(db, sql: "SELECT seq, ts_ms, topic, plugin, data FROM events ORDER BY seq")
        while let event = try cursor.next() {
            builder.add(seq: event[0], ms: event[1], topic: event[2], plugin: event[3], data: event[4])
        }
        let gaps = try Row.fetchAll(db, sql: "SELECT * FROM gaps ORDER BY first_missing").map { gap -> JSONValue in
            ["first_missing": .number(Double(gap["first_missing"] as Int64)), "last_missing": .number(Double(gap["last_missing"] as Int64)),
             "cause": .string(gap["cause"])]
        }
        let endMs = (row["ended_ms"] as Int64?) ?? builder.lastMs
        return builder.finish(interview: interview, endMs: endMs, gaps: gaps, generatedAt: generatedAt)
    }
}

extension InterviewArchive {
    /// The paired session that started interview `id`.
    public func session(of id: String) throws(Failure) -> String? {
        let queue = try open(id)
        defer { try? queue.close() }
        do { return try queue.read { try String.fetchOne($0, sql: "SELECT session FROM interview") } } catch {
            throw Failure(description: "\(path(id)): \(InterviewFile.describe(error))")
        }
    }
}
