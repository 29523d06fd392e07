import GRDB

/// The events of a seq range read back from interview files, for a page
/// that resumes from further back than the bus's ring reaches. Counted
/// before anything is sent (the `identified` answer says how many follow),
/// then read page by page in seq order, so memory stays bounded however
/// long the range, each page on GRDB's own thread, off the event loops and
/// the cooperative pool, through a read-only connection of its own so the
/// writer is never held up.
public struct StoreReplay: Sendable {
    /// Events per page read from a file.
    static let pageSize = 512

    /// The files' events after `after` and before `before`, of the topics in
    /// `filter`, published at or after `since`.
    public let after: UInt64
    public let before: UInt64
    /// Events that will be replayed.
    public let count: Int
    /// The seq of the first of them.
    public let firstSeq: UInt64?
    /// Seqs in the range that no file holds, of any topic: never written,
    /// or outside every interview.
    public let missed: UInt64
    private let files: [DatabaseQueue]
    private let filter: TopicFilter
    private let sinceMs: Int64

    /// Opens `paths` (files of one seq numbering, in seq order) and counts.
    public static func prepare(
        paths: [String], after: UInt64, before: UInt64, topics: [TopicPattern], since: Timestamp
    ) async throws -> StoreReplay {
        let filter = TopicFilter(topics)
        var files: [DatabaseQueue] = []
        var held: UInt64 = 0, count = 0
        var firstSeq: UInt64?
        for path in paths {
            let queue = try InterviewFile.open(path)
            let (inFile, matching, first) = try await queue.read { db in
                let range: StatementArguments = [Int64(after), Int64(before)]
                let inFile = try Int.fetchOne(db, sql: "SELECT count(*) FROM events WHERE seq > ? AND seq < ?", arguments: range) ?? 0
                let row = try Row.fetchOne(db, sql: "SELECT count(*), min(seq) FROM events WHERE seq > ? AND seq < ? AND ts_ms >= ?" + filter.sql,
                                           arguments: range + [since.millisecondsSinceEpoch] + filter.arguments)
                return (inFile, row?[0] as Int? ?? 0, row?[1] as Int64?)
            }
            guard inFile > 0 else { continue }
            files.append(queue)
            held += UInt64(inFile)
            count += matching
            if firstSeq == nil, let first { firstSeq = UInt64(first) }
        }
        let span = before > after + 1 ? before - after - 1 : 0
        return StoreReplay(after: after, before: before, count: count, firstSeq: firstSeq, missed: span - min(span, held),
                           files: files, filter: filter, sinceMs: since.millisecondsSinceEpoch)
    }

    /// A file could not be read.
    public struct ReadFailure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Calls `body` with each page of events, in seq order. Throws
    /// `ReadFailure` when a file cannot be read, and what `body` throws.
    public func forEachPage(_ body: ([Event]) async throws -> Void) async throws {
        for file in files {
            var from = after
            while true {
                let page = try await read(file, after: from)
                guard let last = page.last else { break }
                try await body(page)
                from = last.seq
                if page.count < Self.pageSize { break }
            }
        }
    }

    private func read(_ file: DatabaseQueue, after from: UInt64) async throws(ReadFailure) -> [Event] {
        do {
            return try await file.read { [filter, sinceMs, before] db in
                try Row.fetchAll(db, sql: "SELECT seq, ts_ms, topic, plugin, data FROM events WHERE seq > ? AND seq < ? AND ts_ms >= ?"
                                 + filter.sql + " ORDER BY seq LIMIT \(Self.pageSize)",
                                 arguments: [Int64(from), Int64(before), sinceMs] + filter.arguments)
                    .map { row in
                        Event(seq: UInt64(row[0] as Int64), timestamp: Timestamp(millisecondsSinceEpoch: row[1]),
                              plugin: row[3], topic: row[2], data: row[4])
                    }
            }
        } catch {
            throw ReadFailure(description: "\(file.path): \(InterviewFile.describe(error))")
        }
    }
}

/// Topic patterns as SQL: each pattern's text is also a GLOB that matches
/// exactly its topics (`*` everything, `gaze.*` what starts with `gaze.`,
/// an exact topic only itself, as topics hold no GLOB characters).
struct TopicFilter: Sendable {
    let sql: String
    let arguments: StatementArguments

    init(_ patterns: [TopicPattern]) {
        if patterns.contains(.all) {
            sql = ""
            arguments = []
        } else if patterns.isEmpty {
            sql = " AND 0"
            arguments = []
        } else {
            sql = " AND (" + patterns.map { _ in "topic GLOB ?" }.joined(separator: " OR ") + ")"
            arguments = StatementArguments(patterns.map(\.description))
        }
    }
}
