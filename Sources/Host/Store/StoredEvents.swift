import GRDB
import ProctorJSON

/// An interview's file read back for a subscriber that rebuilds its state
/// when the interview is continued after a restart (the integrity monitor,
/// the live gaze analytics): the interview row, the state copied in at its
/// start, and its events in seq order, through a read-only connection of its
/// own so the writer is never held up.
public struct StoredEvents: Sendable {
    public let interview: String
    public let started: Timestamp
    /// The guidelines the page sent at `interview.start`, if any.
    public let guidelines: JSONValue?
    /// The state in force when it began (`start_states`), oldest seq first;
    /// empty for a file older than schema 3.
    public let startStates: [Event]
    private let queue: DatabaseQueue

    public init(path: String) throws(InterviewFile.Failure) {
        queue = try InterviewFile.open(path)
        do {
            (interview, started, guidelines, startStates) = try queue.read { db in
                guard let row = try Row.fetchOne(db, sql: "SELECT id, started_ms, guidelines FROM interview") else {
                    throw InterviewFile.Failure(description: "the interview table is empty")
                }
                let guidelines = (row["guidelines"] as String?).flatMap { try? JSONParser.parse($0) }
                return (row["id"], Timestamp(millisecondsSinceEpoch: row["started_ms"]), guidelines, try Self.startStates(db))
            }
        } catch {
            throw InterviewFile.Failure(description: "\(path): \(InterviewFile.describe(error))")
        }
    }

    /// Calls `body` with each event below seq `before`, in seq order.
    public func forEach(before: UInt64, _ body: (Event) throws -> Void) throws(InterviewFile.Failure) {
        do {
            try queue.read { db in
                let cursor = try Row.fetchCursor(db, sql: "SELECT seq, ts_ms, topic, plugin, data FROM events WHERE seq < ? ORDER BY seq",
                                                 arguments: [Int64(clamping: before)])
                while let row = try cursor.next() { try body(Self.event(row)) }
            }
        } catch {
            throw InterviewFile.Failure(description: "\(queue.path): \(InterviewFile.describe(error))")
        }
    }

    /// The first event of `topic` below seq `before`.
    public func first(topic: String, before: UInt64) throws(InterviewFile.Failure) -> Event? {
        do {
            return try queue.read { db in
                try Row.fetchOne(db, sql: "SELECT seq, ts_ms, topic, plugin, data FROM events WHERE topic = ? AND seq < ? ORDER BY seq LIMIT 1",
                                 arguments: [topic, Int64(clamping: before)]).map(Self.event)
            }
        } catch {
            throw InterviewFile.Failure(description: "\(queue.path): \(InterviewFile.describe(error))")
        }
    }

    /// The `start_states` rows as events, oldest seq first (plugin states
    /// copied from the supervisors have seq 0).
    static func startStates(_ db: Database) throws -> [Event] {
        guard try db.tableExists("start_states") else { return [] }
        return try Row.fetchAll(db, sql: "SELECT seq, ts_ms, topic, plugin, data FROM start_states ORDER BY seq, topic, plugin").map(event)
    }

    static func event(_ row: Row) -> Event {
        Event(seq: UInt64(row[0] as Int64), timestamp: Timestamp(millisecondsSinceEpoch: row[1]), plugin: row[3], topic: row[2], data: row[4])
    }
}
