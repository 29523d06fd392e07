#if canImport(Glibc)
import Glibc
#endif
import GRDB
import ProctorJSON

/// The interview files of one directory, read for `proctord interviews` and
/// pruned by age at the agent's start.
public struct InterviewArchive: Sendable {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// The ids of the interview files, oldest first (ids begin with the start time).
    public func ids() -> [String] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var out: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard name.hasSuffix(".sqlite") else { continue }
            let id = String(name.dropLast(".sqlite".count))
            if InterviewID.isValid(id) { out.append(id) }
        }
        return out.sorted()
    }

    /// What `list` and `show` print for one interview.
    public func summary(_ id: String) throws(Failure) -> JSONValue {
        let queue = try open(id)
        do {
            return try queue.read { db in
                guard let row = try Row.fetchOne(db, sql: "SELECT * FROM interview") else { return ["interview": .string(id), "state": "empty"] }
                let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM events") ?? 0
                let missed = try Int.fetchOne(db, sql: "SELECT coalesce(sum(last_missing - first_missing + 1), 0) FROM gaps") ?? 0
                let lastWritten = try Int64.fetchOne(db, sql: "SELECT max(seq) FROM events")
                return Self.summary(row: row, events: count, missed: missed, lastWritten: lastWritten)
            }
        } catch { throw Failure(description: "\(path(id)): \(InterviewFile.describe(error))") }
    }

    static func summary(row: Row, events: Int, missed: Int, lastWritten: Int64?) -> JSONValue {
        let started: Int64 = row["started_ms"]
        let endedMs: Int64? = row["ended_ms"]
        var out: JSONObject = [
            "interview": .string(row["id"]), "title": (row["title"] as String?).map(JSONValue.string) ?? .null,
            "started_at": .string(Timestamp(millisecondsSinceEpoch: started).rfc3339),
            "ended_at": endedMs.map { .string(Timestamp(millisecondsSinceEpoch: $0).rfc3339) } ?? .null,
            // An interview with no end was running when the agent stopped without ending it.
            "state": endedMs == nil ? "open" : "ended",
            "end_reason": (row["end_reason"] as String?).map(JSONValue.string) ?? .null,
            "first_seq": .number(Double(row["first_seq"] as Int64)),
            "last_seq": ((row["last_seq"] as Int64?) ?? lastWritten).map { .number(Double($0)) } ?? .null,
            "events": .number(Double(events)), "missed": .number(Double(missed)),
            "guidelines": (row["guidelines"] as String?).flatMap { try? JSONParser.parse($0) } ?? .null,
        ]
        if let endedMs { out["duration_s"] = .number(Double(endedMs - started) / 1000) }
        return .object(out)
    }

    /// The whole interview as one JSON document: the summary, the plugin
    /// states, the gaps and every event in the protocol's envelope.
    public func export(_ id: String) throws(Failure) -> JSONValue {
        let summary = try summary(id)
        let queue = try open(id)
        do {
            return try queue.read { db in
                let states = try Row.fetchAll(db, sql: "SELECT plugin, seq, data FROM plugin_states ORDER BY plugin").map { row -> JSONValue in
                    ["plugin": .string(row["plugin"]), "seq": .number(Double(row["seq"] as Int64)),
                     "data": (try? JSONParser.parse(row["data"] as String)) ?? .null]
                }
                let gaps = try Row.fetchAll(db, sql: "SELECT * FROM gaps ORDER BY first_missing").map { row -> JSONValue in
                    ["first_missing": .number(Double(row["first_missing"] as Int64)),
                     "last_missing": .number(Double(row["last_missing"] as Int64)), "cause": .string(row["cause"])]
                }
                var events: [JSONValue] = []
                let cursor = try Row.fetchCursor(db, sql: "SELECT seq, ts_ms, topic, plugin, data FROM events ORDER BY seq")
                while let row = try cursor.next() {
                    let event = Event(seq: UInt64(row["seq"] as Int64), timestamp: Timestamp(millisecondsSinceEpoch: row["ts_ms"]),
                                      plugin: row["plugin"], topic: row["topic"], data: row["data"])
                    events.append((try? JSONParser.parse(event.json)) ?? .null)
                }
                return ["interview": summary, "plugin_states": .array(states), "gaps": .array(gaps), "events": .array(events)]
            }
        } catch { throw Failure(description: "\(path(id)): \(InterviewFile.describe(error))") }
    }

    /// Deletes one interview's files.
    public func delete(_ id: String) throws(Failure) {
        _ = try open(id)
        guard removeInterviewFiles(path(id)) else {
            throw Failure(description: "\(path(id)): cannot delete: \(String(cString: strerror(errno)))")
        }
    }

    /// Deletes the interviews whose file was last written more than `days`
    /// ago, except those in `keeping`; returns their ids.
    public func prune(olderThanDays days: Int, now: Timestamp = .now(), keeping: Set<String> = []) -> [String] {
        let limit = now.millisecondsSinceEpoch / 1000 - Int64(days) * 86_400
        return ids().filter { id in
            guard !keeping.contains(id) else { return false }
            var info = stat()
            guard stat(path(id), &info) == 0, Int64(info.st_mtim.tv_sec) < limit else { return false }
            return removeInterviewFiles(path(id))
        }
    }

    public func path(_ id: String) -> String { InterviewFile.path(directory: directory, id: id) }

    func open(_ id: String) throws(Failure) -> DatabaseQueue {
        guard InterviewID.isValid(id) else { throw Failure(description: "\(JSONWriter.quoted(id)): not an interview id (like i_20261207T013300Z_3fa91c)") }
        guard access(path(id), F_OK) == 0 else { throw Failure(description: "no interview \(id) in \(directory)") }
        do { return try InterviewFile.open(path(id)) } catch { throw Failure(description: error.description) }
    }
}
