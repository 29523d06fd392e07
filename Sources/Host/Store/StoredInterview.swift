import GRDB

/// What the agent reads of an interview file when it starts: whether the
/// interview ended, which seq numbering it belongs to and, for one that did
/// not end, what continuing it needs.
struct StoredInterview {
    let id: String
    let path: String
    let title: String?
    let session: String
    let startedMs: Int64
    let firstSeq: UInt64
    let endedMs: Int64?
    let agentSession: String?
    let seqHighWater: UInt64?
    let pageHeardMs: Int64?
    let lastWritten: UInt64?
    let lastWrittenMs: Int64?
    let lastGap: UInt64?
    let written: Int
    let missed: UInt64

    static func read(path: String, id: String) throws(InterviewFile.Failure) -> StoredInterview? {
        let queue = try InterviewFile.open(path)
        do {
            defer { try? queue.close() }
            return try queue.read { db -> StoredInterview? in
                guard let row = try Row.fetchOne(db, sql: "SELECT * FROM interview") else { return nil }
                let endedMs: Int64? = row["ended_ms"]
                // An ended interview needs no more than what names its numbering.
                let last = try endedMs == nil ? Row.fetchOne(db, sql: "SELECT max(seq), max(ts_ms), count(*) FROM events") : nil
                let gaps = try endedMs == nil
                    ? Row.fetchOne(db, sql: "SELECT max(last_missing), coalesce(sum(last_missing - first_missing + 1), 0) FROM gaps") : nil
                return StoredInterview(
                    id: id, path: path, title: row["title"], session: row["session"], startedMs: row["started_ms"],
                    firstSeq: UInt64(row["first_seq"] as Int64), endedMs: endedMs, agentSession: row["agent_session"],
                    seqHighWater: (row["seq_high_water"] as Int64?).map(UInt64.init), pageHeardMs: row["page_heard_ms"],
                    lastWritten: (last?[0] as Int64?).map(UInt64.init), lastWrittenMs: last?[1] as Int64?,
                    lastGap: (gaps?[0] as Int64?).map(UInt64.init), written: (last?[2] as Int?) ?? 0, missed: UInt64((gaps?[1] as Int64?) ?? 0))
            }
        } catch {
            throw InterviewFile.Failure(description: "\(path): \(InterviewFile.describe(error))")
        }
    }
}
