import Foundation
import GRDB
import Logging
@testable import ProctorHost
import ProctorJSON
import ProctorTestSupport
import Synchronization
import Testing

/// An agent that stops without ending its interview (here: a manager and a
/// bus simply dropped, as a kill leaves them), then a new bus and manager on
/// the same directory, as a restarted agent has; plus the interviews'
/// deadlines on a clock the test moves. Real SQLite files throughout.
@Suite struct InterviewContinuationTests {
    let dir = TemporaryDirectory("proctord-continue")
    var interviews: String { dir.path + "/state/interviews" }

    /// The wall clock plus an offset the test moves forward.
    final class TestClock: Sendable {
        let offset = Atomic<Int64>(0)
        @Sendable func now() -> Timestamp { Timestamp(millisecondsSinceEpoch: Timestamp.now().millisecondsSinceEpoch + offset.load(ordering: .relaxed)) }
        func advance(ms delta: Int64) { offset.add(delta, ordering: .relaxed) }
    }

    func manager(_ bus: EventBus, clock: TestClock, idleMinutes: Int = 120, retentionDays: Int = 30) -> InterviewManager {
        var settings = InterviewManager.Settings()
        settings.idleEndMinutes = idleMinutes
        settings.retentionDays = retentionDays
        return InterviewManager(directory: interviews, settings: settings, bus: bus, logger: .silent, clock: clock.now)
    }

    func rows(_ id: String) throws -> (seqs: [UInt64], gaps: [(UInt64, UInt64, String)], row: Row) {
        try DatabaseQueue(path: interviews + "/\(id).sqlite").read { db in
            (try Int64.fetchAll(db, sql: "SELECT seq FROM events ORDER BY seq").map(UInt64.init),
             try Row.fetchAll(db, sql: "SELECT * FROM gaps ORDER BY first_missing").map {
                 (UInt64($0["first_missing"] as Int64), UInt64($0["last_missing"] as Int64), $0["cause"] as String)
             },
             try Row.fetchOne(db, sql: "SELECT * FROM interview")!)
        }
    }

    /// Publishes `count` events and waits until the file holds them all.
    func publish(_ count: Int, on bus: EventBus, writer: StoreWriter) async -> UInt64 {
        var last: UInt64 = 0
        for n in 0..<count { last = bus.publish(plugin: "test", topic: "test.tick", data: #"{"n":\#(n)}"#).seq }
        await writer.waitUntilSettled(through: last)
        return last
    }

    @Test func aRestartedAgentContinuesTheInterviewAboveEverySeqHandedOut() async throws {
        let clock = TestClock()
        let first = EventBus()
        let before = manager(first, clock: clock)
        let started = try await before.start(title: "round 2", guidelines: nil, session: "s_1", pluginStates: [])
        let id = try #require(started["interview"]?.stringValue)
        let firstSeq = UInt64(try #require(started["first_seq"]?.intValue))
        let written = await publish(100, on: first, writer: try #require(await before.writer))
        // The agent is killed here: nothing more reaches the file. What it
        // publishes next, a page may have been sent; the file never holds it.
        try await before.writer!.database.close()
        for _ in 0..<50 { first.publish(plugin: "test", topic: "test.late", data: "{}") }
        let handedOut = first.nextSeq - 1
        let session = first.agentSession

        clock.advance(ms: 60_000)
        let second = EventBus()
        let after = manager(second, clock: clock)
        let resumed = second.subscribe(name: "t", patterns: [TopicPattern("interview.resumed")!])
        guard case .continued(let continued, let restart, let missed) = await after.startUp() else {
            Issue.record("not continued")
            return
        }
        #expect(continued == id && second.agentSession == session)
        #expect(restart > handedOut && restart == second.nextSeq - 1)
        #expect(missed == restart - 1 - written)
        let event = try #require(await resumed.next())
        #expect(event.seq == restart)
        #expect(try TopicSchemas.load().problems(with: event) == [], "\(event.json)")
        let data = try JSONParser.parse(event.data)
        #expect(data["first_new_seq"]?.intValue == Int(restart) && data["missed"]?.intValue == Int(missed))
        #expect(data["missed_first"]?.intValue == Int(written + 1) && data["missed_last"]?.intValue == Int(restart - 1))
        #expect(await after.current == id)

        second.publish(plugin: "test", topic: "test.after", data: "{}")
        let summary = try await after.end(reason: "request")
        let lastSeq = UInt64(try #require(summary["last_seq"]?.intValue))
        #expect(summary["interview"]?.stringValue == id && summary["first_seq"]?.intValue == Int(firstSeq))
        #expect(summary["missed"]?.intValue == Int(missed))
        #expect(summary["events"]?.intValue == Int(lastSeq - firstSeq + 1 - missed))
        let (seqs, gaps, row) = try rows(id)
        // The file and its gaps cover every seq of the interview once.
        var covered = seqs
        for gap in gaps { covered += Array(gap.0...gap.1) }
        #expect(covered.sorted() == Array(firstSeq...lastSeq))
        #expect(gaps.map(\.2) == ["not written before the agent stopped"])
        #expect(row["end_reason"] as String? == "request" && row["agent_session"] as String? == session)
    }

    @Test func anInterviewIdleForTheLimitIsClosedAtStartNotContinued() async throws {
        let clock = TestClock()
        let first = EventBus()
        let before = manager(first, clock: clock, idleMinutes: 10)
        let id = try #require(try await before.start(title: nil, guidelines: nil, session: "s_1", pluginStates: [])["interview"]?.stringValue)
        let last = await publish(10, on: first, writer: try #require(await before.writer))
        try await before.writer!.database.close()

        clock.advance(ms: 10 * 60_000)
        let second = EventBus()
        let after = manager(second, clock: clock, idleMinutes: 10)
        guard case .closed(let closed, let why) = await after.startUp() else {
            Issue.record("not closed")
            return
        }
        #expect(closed == id && why.contains("store.idle_end_minutes (10)"))
        #expect(await after.current == nil && second.nextSeq == 1 && second.agentSession != first.agentSession)
        let summary = try InterviewArchive(directory: interviews).summary(id)
        #expect(summary["state"] == "ended" && summary["end_reason"] == "agent_lost" && summary["last_seq"]?.intValue == Int(last))
        // A second start finds nothing left to do.
        #expect(await manager(EventBus(), clock: clock).startUp() == .nothingUnfinished)
    }

    /// The idle end comes at the deadline itself: the housekeeping loop
    /// sleeps until then, not until a periodic check (which would end it up
    /// to a minute late).
    @Test func theIdleEndComesAtTheDeadline() async throws {
        let clock = TestClock()
        let bus = EventBus()
        let store = manager(bus, clock: clock, idleMinutes: 1)
        let housekeeping = Task { await store.runHousekeeping() }
        defer { housekeeping.cancel() }
        let started = clock.now()
        let id = try #require(try await store.start(title: nil, guidelines: nil, session: "s_1", pluginStates: [])["interview"]?.stringValue)
        let deadline = try #require(await store.idleDeadline)
        #expect(deadline.millisecondsSinceEpoch - started.millisecondsSinceEpoch >= 60_000)
        #expect(deadline.millisecondsSinceEpoch - started.millisecondsSinceEpoch < 61_000)
        // 1.5 s before the deadline; the loop, told the clock moved, sleeps the rest.
        clock.advance(ms: deadline.millisecondsSinceEpoch - 1_500 - clock.now().millisecondsSinceEpoch)
        store.recheckDeadlines()
        let archive = InterviewArchive(directory: interviews)
        #expect(await eventually(timeout: .seconds(30)) { (try? archive.summary(id)["state"]) == "ended" })
        let endedMs = try #require(try rows(id).row["ended_ms"] as Int64?)
        #expect(try archive.summary(id)["end_reason"] == "idle")
        #expect(endedMs >= deadline.millisecondsSinceEpoch, "ended before its deadline")
        #expect(endedMs - deadline.millisecondsSinceEpoch < 5_000, "ended \(endedMs - deadline.millisecondsSinceEpoch) ms after its deadline")
    }

    /// Retention runs daily while the agent runs: a file that passes the
    /// limit is deleted when the next day's pass comes, the running
    /// interview never.
    @Test func oldInterviewsAreDeletedDailyWhileTheAgentRuns() async throws {
        let clock = TestClock()
        let bus = EventBus()
        let store = manager(bus, clock: clock, idleMinutes: 10080, retentionDays: 30)  // not idle after the day passed here
        let old = try #require(try await store.start(title: "old", guidelines: nil, session: "s", pluginStates: [])["interview"]?.stringValue)
        _ = try await store.end(reason: "request")
        let archive = InterviewArchive(directory: interviews)
        // Written 29.5 days ago: kept at start, past the limit a day later.
        var times = [timespec(tv_sec: time(nil) - 29 * 86_400 - 43_200, tv_nsec: 0), timespec(tv_sec: time(nil) - 29 * 86_400 - 43_200, tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, archive.path(old), &times, 0) == 0)
        #expect(await store.startUp() == .nothingUnfinished)
        let running = try #require(try await store.start(title: "now", guidelines: nil, session: "s", pluginStates: [])["interview"]?.stringValue)
        #expect(Set(archive.ids()) == [old, running])
        let housekeeping = Task { await store.runHousekeeping() }
        defer { housekeeping.cancel() }

        clock.advance(ms: 86_400_000 - 60_000)  // not yet a day since the last pass
        store.recheckDeadlines()
        #expect(archive.ids().contains(old))
        clock.advance(ms: 60_000)
        store.recheckDeadlines()
        #expect(await eventually(timeout: .seconds(10)) { archive.ids() == [running] })
        #expect(await store.current == running)
    }
}
