import Foundation
import GRDB
import Logging
@testable import ProctorHost
import ProctorJSON
import ProctorTestSupport
import Synchronization
import Testing

/// The interview store against real SQLite files in a temporary directory
/// and the real bus; every file is read back independently with GRDB.
@Suite struct InterviewStoreTests {
    let dir = TemporaryDirectory("proctord-store")
    var interviews: String { dir.path + "/state/interviews" }

    func manager(_ bus: EventBus, settings: InterviewManager.Settings = .init(), clock: @escaping @Sendable () -> Timestamp = { .now() },
                 capacity: Int = InterviewManager.defaultQueueCapacity) -> InterviewManager {
        InterviewManager(directory: interviews, settings: settings, bus: bus, logger: .silent, clock: clock, queueCapacity: capacity)
    }

    /// Every row of `events`, read without the store's code.
    func storedSeqs(_ path: String) throws -> [UInt64] {
        try DatabaseQueue(path: path).read { try Int64.fetchAll($0, sql: "SELECT seq FROM events ORDER BY seq") }.map(UInt64.init)
    }

    func mode(_ path: String) -> mode_t {
        var info = stat()
        return stat(path, &info) == 0 ? info.st_mode & 0o777 : 0
    }

    @Test func writesEverySeqOfTheInterviewPrivatelyAndInWAL() async throws {
        let bus = EventBus()
        bus.publish(plugin: "test", topic: "test.before", data: "{}")  // before the interview: not in it
        let store = manager(bus)
        let started = try await store.start(title: "Backend, round 2", guidelines: ["face_absent_s": 5], session: "s_1",
                                            pluginStates: [PluginState(plugin: "heartbeat", name: .running)])
        let id = try #require(started["interview"]?.stringValue)
        let firstSeq = try #require(started["first_seq"]?.intValue)
        #expect(firstSeq == 2)
        for n in 0..<5000 { bus.publish(plugin: "test", topic: "test.tick", data: #"{"n":\#(n)}"#) }
        bus.publish(topic: "plugin.state", data: PluginState(plugin: "heartbeat", name: .degraded, reason: "slow").json)
        let summary = try await store.end(reason: "request")
        let lastSeq = try #require(summary["last_seq"]?.intValue)
        // started, 5000 ticks, the state, ended.
        #expect(lastSeq == firstSeq + 5002 && summary["events"]?.intValue == 5003 && summary["missed"] == 0)
        #expect(summary["interview"]?.stringValue == id && summary["reason"] == "request")

        let path = interviews + "/\(id).sqlite"
        #expect(try storedSeqs(path) == Array(UInt64(firstSeq)...UInt64(lastSeq)))
        #expect(mode(path) == 0o600 && mode(interviews) == 0o700)
        let db = try DatabaseQueue(path: path)
        try await db.read { db in
            #expect(try String.fetchOne(db, sql: "PRAGMA journal_mode") == "wal")
            let row = try #require(try Row.fetchOne(db, sql: "SELECT * FROM interview"))
            #expect(row["title"] as String? == "Backend, round 2" && row["end_reason"] as String? == "request")
            #expect(row["guidelines"] as String? == #"{"face_absent_s":5}"# && row["last_seq"] as Int64? == Int64(lastSeq))
            let tick = try #require(try Row.fetchOne(db, sql: "SELECT * FROM events WHERE seq = ?", arguments: [firstSeq + 1]))
            #expect(tick["topic"] as String == "test.tick" && tick["plugin"] as String == "test" && tick["data"] as String == #"{"n":0}"#)
            let state = try #require(try Row.fetchOne(db, sql: "SELECT * FROM plugin_states WHERE plugin = 'heartbeat'"))
            #expect(state["seq"] as Int64 == Int64(lastSeq - 1) && (state["data"] as String).contains(#""state":"degraded""#))
        }
        for suffix in ["-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
            #expect(mode(path + suffix) == 0o600, "\(suffix)")
        }
    }

    @Test func aSecondStartNamesTheRunningInterview() async throws {
        let store = manager(EventBus())
        let first = try await store.start(title: nil, guidelines: nil, session: "s_1", pluginStates: [])
        let id = try #require(first["interview"]?.stringValue)
        await #expect(throws: InterviewError(code: "interview_running", message: "interview \(id) is running since \(first["started_at"]!.stringValue!); end it first")) {
            try await store.start(title: nil, guidelines: nil, session: "s_2", pluginStates: [])
        }
        _ = try await store.end(reason: "request")
        await #expect(throws: InterviewError(code: "no_interview", message: "no interview is running")) { try await store.end(reason: "request") }
    }

    /// A store that cannot keep up loses from its own queue, which the bus
    /// counts, and the file records exactly which seqs it lacks.
    @Test func aStoreThatFallsBehindRecordsTheGapAndTheBusCountsIt() async throws {
        let bus = EventBus()
        try PrivateDirectory.create(interviews)
        let path = interviews + "/i_test.sqlite"
        let database = try InterviewFile.create(path)
        let (_, subscription, firstSeq) = bus.resume(name: "store i_test", patterns: [.all], capacity: 4, after: nil)
        // The writer has not started: everything but the newest four is dropped.
        for n in 0..<100 { bus.publish(plugin: "test", topic: "test.tick", data: #"{"n":\#(n)}"#) }
        let end = bus.publish(topic: "interview.ended", data: ["interview": "i_test", "reason": "request"])
        // The bus counted the loss against the store's queue (what `bus.dropped` reports).
        #expect(bus.takeDropCounts().map { "\($0.subscriber) \($0.total)" } == ["store i_test 97"])
        let writer = StoreWriter(interviewID: "i_test", path: path, database: database, subscription: subscription,
                                 firstSeq: firstSeq, reservation: SeqReservation(durable: firstSeq + 4096, nextSeq: firstSeq), bus: bus, logger: .silent)
        await writer.run()
        #expect(try storedSeqs(path) == Array((end.seq - 3)...end.seq))
        let gaps = try database.read { try Row.fetchAll($0, sql: "SELECT first_missing, last_missing, cause FROM gaps") }
        #expect(gaps.count == 1 && gaps[0]["first_missing"] as Int64 == Int64(firstSeq) && gaps[0]["last_missing"] as Int64 == Int64(end.seq - 4))
        #expect((gaps[0]["cause"] as String).hasPrefix("dropped"))
        #expect(writer.progress.missed == 97 && writer.progress.written == 4)
    }

    /// A directory that cannot be made is an error naming the path and the
    /// system's reason; the bus goes on publishing.
    @Test func anUnusableDirectoryIsReportedAndTheBusGoesOn() async throws {
        let bus = EventBus()
        try FileManager.default.createDirectory(atPath: dir.path + "/state", withIntermediateDirectories: true)
        dir.write("state/interviews", "a plain file where the directory should be")
        let store = manager(bus)
        await #expect(throws: InterviewError(code: "store_failed", message: "\(interviews): not a directory")) {
            try await store.start(title: nil, guidelines: nil, session: "s_1", pluginStates: [])
        }
        #expect(await store.current == nil)
        let live = bus.subscribe(name: "after", patterns: [.all])
        bus.publish(plugin: "test", topic: "test.tick", data: "{}")
        #expect(await live.next()?.topic == "test.tick")
    }

    @Test func anInterviewIdleForTheLimitEnds() async throws {
        let bus = EventBus()
        let now = Atomic<Int64>(1_000_000_000_000)
        var settings = InterviewManager.Settings()
        settings.idleEndMinutes = 2
        let store = manager(bus, settings: settings, clock: { Timestamp(millisecondsSinceEpoch: now.load(ordering: .relaxed)) })
        _ = try await store.start(title: nil, guidelines: nil, session: "s_1", pluginStates: [])
        now.add(119_000, ordering: .relaxed)
        #expect(await store.endIfIdle() == false)
        store.touch(session: "s_other")  // another session's page does not keep it alive...
        store.touch(session: "s_1")  // ...its own does
        now.add(119_000, ordering: .relaxed)
        #expect(await store.endIfIdle() == false)
        now.add(1_000, ordering: .relaxed)
        let ended = bus.subscribe(name: "t", patterns: [TopicPattern("interview.ended")!])
        #expect(await store.endIfIdle() == true)
        #expect(await store.current == nil)
        #expect(await ended.next()?.data.contains(#""reason":"idle""#) == true)
    }

    @Test func theSessionThatStartedItEndsIt() async throws {
        let store = manager(EventBus())
        _ = try await store.start(title: nil, guidelines: nil, session: "s_1", pluginStates: [])
        await store.sessionEnded("s_2")
        #expect(await store.current != nil)
        await store.sessionEnded("s_1")
        #expect(await store.current == nil)
    }

    @Test func retentionDeletesOnlyOldInterviews() async throws {
        let store = manager(EventBus())
        let old = try #require(try await store.start(title: "old", guidelines: nil, session: "s", pluginStates: [])["interview"]?.stringValue)
        _ = try await store.end(reason: "request")
        let recent = try #require(try await store.start(title: "new", guidelines: nil, session: "s", pluginStates: [])["interview"]?.stringValue)
        _ = try await store.end(reason: "request")
        let archive = InterviewArchive(directory: interviews)
        var times = [timespec(tv_sec: time(nil) - 31 * 86_400, tv_nsec: 0), timespec(tv_sec: time(nil) - 31 * 86_400, tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, archive.path(old), &times, 0) == 0)
        #expect(archive.prune(olderThanDays: 30) == [old])
        #expect(archive.ids() == [recent])
        #expect(!FileManager.default.fileExists(atPath: archive.path(old)))
        let summary = try archive.summary(recent)
        #expect(summary["title"] == "new" && summary["state"] == "ended" && summary["end_reason"] == "request")
    }

    @Test func exportHoldsEveryEventInTheEnvelope() async throws {
        let bus = EventBus()
        let store = manager(bus)
        let id = try #require(try await store.start(title: nil, guidelines: nil, session: "s", pluginStates: [])["interview"]?.stringValue)
        let tick = bus.publish(plugin: "test", topic: "test.tick", data: #"{"n":7}"#)
        _ = try await store.end(reason: "request")
        let export = try InterviewArchive(directory: interviews).export(id)
        let events = export["events"]?.arrayValue ?? []
        #expect(events.map { $0["topic"]?.stringValue ?? "" } == ["interview.started", "test.tick", "interview.ended"])
        #expect(events[1] == (try JSONParser.parse(tick.json)))
        #expect(throws: InterviewArchive.Failure.self) { try InterviewArchive(directory: interviews).summary("../etc") }
    }

    @Test func interviewEventsMatchTheirDocumentedSchemas() async throws {
        let schemas = try TopicSchemas.load()
        let bus = EventBus()
        let log = bus.subscribe(name: "log", patterns: [TopicPattern("interview.*")!])
        let store = manager(bus)
        _ = try await store.start(title: "t", guidelines: nil, session: "s", pluginStates: [])
        let writer = try #require(await store.writer)
        _ = try await store.end(reason: "idle")
        var events = [await log.next(), await log.next()].compactMap { $0 }
        #expect(events.map(\.topic) == ["interview.started", "interview.ended"])
        for failing in ["database or disk is full (SQLite error 13)", nil] {
            let data = JSONWriter.compact(writer.stateJSON(failing: failing))
            events.append(Event(seq: 1, timestamp: .now(), plugin: "host", topic: "store.state", data: data))
        }
        for event in events { #expect(schemas.problems(with: event) == [], "\(event.json)") }
    }

    /// `proctord interviews` reads the files without an agent.
    @Test func theCommandLineListsShowsExportsAndDeletes() async throws {
        let bus = EventBus()
        let store = manager(bus)
        let id = try #require(try await store.start(title: "cli", guidelines: nil, session: "s", pluginStates: [])["interview"]?.stringValue)
        bus.publish(plugin: "test", topic: "test.tick", data: #"{"n":1}"#)
        let summary = try await store.end(reason: "request")
        func proctord(_ arguments: String...) throws -> (status: Int32, out: String) {
            try runProctord(["interviews"] + arguments + ["--state-dir", dir.path + "/state"])
        }
        let list = try proctord("list")
        #expect(list.status == 0 && list.out.hasPrefix("\(id)  ") && list.out.contains("request  3 events  cli"))
        let shown = try JSONParser.parse(try proctord("show", id).out)
        #expect(shown["events"] == 3 && shown["last_seq"] == summary["last_seq"] && shown["title"] == "cli")
        let file = dir.path + "/export.json"
        #expect(try proctord("export", id, "--json", file).status == 0)
        let exported = try JSONParser.parse(try String(contentsOfFile: file, encoding: .utf8))
        #expect(exported["events"]?.arrayValue?.compactMap { $0["topic"]?.stringValue } == ["interview.started", "test.tick", "interview.ended"])
        #expect(mode(file) == 0o600)
        #expect(try proctord("delete", id).out == "deleted \(id)\n")
        let missing = try proctord("show", id)
        #expect(missing.status == 1 && missing.out == "no interview \(id) in \(interviews)\n")
    }

    /// A full disk (SQLite's page limit standing in for it): the failure is
    /// logged with the path and SQLite's reason and published as
    /// `store.state`; publishing goes on; once writing works again the file
    /// records what it missed as a gap, and nothing is counted twice.
    @Test func aFullDiskIsReportedAndRecordedAsAGap() async throws {
        let bus = EventBus()
        let logged = Mutex<[String]>([])
        let store = InterviewManager(directory: interviews, settings: .init(), bus: bus,
                                     logger: .capturing { line in logged.withLock { $0.append(line) } })
        let states = bus.subscribe(name: "states", patterns: [TopicPattern("store.state")!])
        let id = try #require(try await store.start(title: nil, guidelines: nil, session: "s", pluginStates: [])["interview"]?.stringValue)
        let writer = try #require(await store.writer)
        try await writer.database.writeWithoutTransaction { db in
            let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
            _ = try Int.fetchOne(db, sql: "PRAGMA max_page_count = \(pages)")
        }
        let big = #"{"pad":"\#(String(repeating: "x", count: 2000))"}"#
        for _ in 0..<50 { bus.publish(plugin: "test", topic: "test.big", data: big) }
        let failing = try #require(await states.next())
        #expect(failing.data.contains(#""state":"failing""#) && failing.data.contains("database or disk is full (SQLite error 13)"))
        let path = interviews + "/\(id).sqlite"
        #expect(logged.withLock { $0 }.contains { $0.hasPrefix("interview store \(path): cannot write: database or disk is full") })

        try await writer.database.writeWithoutTransaction { db in _ = try Int.fetchOne(db, sql: "PRAGMA max_page_count = 1000000") }
        bus.publish(plugin: "test", topic: "test.small", data: "{}")
        let writing = try #require(await states.next())
        #expect(writing.data.contains(#""state":"writing""#))
        let summary = try await store.end(reason: "request")
        let first = try #require(summary["first_seq"]?.intValue), last = try #require(summary["last_seq"]?.intValue)
        let missed = try #require(summary["missed"]?.intValue), written = try #require(summary["events"]?.intValue)
        #expect(missed > 0 && written + missed == last - first + 1)
        let (seqs, gaps) = try await DatabaseQueue(path: path).read { db in
            (try Int.fetchAll(db, sql: "SELECT seq FROM events ORDER BY seq"),
             try Row.fetchAll(db, sql: "SELECT first_missing, last_missing, cause FROM gaps ORDER BY first_missing"))
        }
        // Every seq of the interview is either in the file or inside a recorded gap, once.
        var covered = seqs
        for gap in gaps {
            #expect((gap["cause"] as String).hasPrefix("write failed: database or disk is full"))
            covered += Array(Int(gap["first_missing"] as Int64)...Int(gap["last_missing"] as Int64))
        }
        #expect(covered.sorted() == Array(first...last))
    }
}
