import GRDB
import Logging
import ProctorHost
import ProctorJSON
import ProctorTestSupport
import Testing

/// The monitor on a real bus with a real interview store: alerts go out
/// while the interview runs, the summary lands in the file before
/// `interview.ended`, and recomputing it from the file gives the same.
@Suite(.serialized) struct IntegrityMonitorTests {
    @Test func anInterviewGetsAlertsAndEndsWithItsSummaryInTheFile() async throws {
        let dir = TemporaryDirectory()
        let bus = EventBus()
        let guidelines = try GuidelineParser.rules(try JSONParser.parse(#"""
        [{"id": "monitors", "kind": "extra_monitor", "text": "One monitor.", "severity": "medium"},
         {"id": "focus", "kind": "focus_away", "text": "Stay on the call page.", "severity": "medium", "min_s": 0}]
        """#), at: .root).get()
        let monitor = IntegrityMonitor(guidelines: guidelines, bus: bus, logger: .silent)
        let manager = InterviewManager(directory: dir.path + "/interviews", settings: .init(), bus: bus, logger: .silent,
                                       beforeEnd: { id in await monitor.interviewEnding(id) })
        let log = EventLog(bus: bus)
        let loop = Task { await monitor.run() }
        defer { loop.cancel() }
        // Before the interview: two monitors, and the desktop plugin running.
        let plugged = bus.publish(plugin: "screen", topic: "screen.monitors", data: DesktopRuleTests.monitors(2))
        bus.publish(topic: "plugin.state", data: ["plugin": "desktop", "state": "running", "restarts": 0])
        let started = try await manager.start(title: nil, guidelines: guidelines.json, session: "s", pluginStates: [])
        let id = try #require(started["interview"]?.stringValue)
        let raised = await log.waitFor { $0.topic == "alert" && $0.data.contains(#""rule":"monitors""#) }
        #expect(try raised.map { try JSONParser.parse($0.data) }?["evidence"] == [.number(Double(plugged.seq))])
        let away = bus.publish(plugin: "desktop", topic: "desktop.focus", data: ["window": .null, "app": .null, "call_page": false, "left_call_page": true])
        let back = bus.publish(plugin: "desktop", topic: "desktop.focus", data: ["window": "0x00a00003", "app": .null, "call_page": true, "left_call_page": false])
        _ = await log.waitFor { $0.topic == "alert" && $0.data.contains(#""rule":"focus""#) && $0.data.contains("resolved") }
        let live = try #require(monitor.summary())
        #expect(live["interview"] == .string(id) && live["score"] == 90)

        _ = try await manager.end(reason: "request")
        let topics = log.all.map(\.topic)
        let summaryAt = try #require(topics.firstIndex(of: "integrity.summary"))
        #expect(summaryAt < (topics.firstIndex(of: "interview.ended") ?? -1))
        let final = try JSONParser.parse(log.all[summaryAt].data)
        #expect(final["score"] == 90 && final["deductions"]?.arrayValue?.map { $0["rule"] } == ["monitors", "focus"])
        #expect(final["deductions"]?.arrayValue?[1]["alerts"] == ["focus#1"])
        // Every event, the engine's own included, as docs/topics.json defines it.
        let schemas = try TopicSchemas.load()
        for event in log.all { #expect(schemas.problems(with: event).isEmpty, "\(schemas.problems(with: event))") }
        // The extra monitor was still there at the end: resolved by the end.
        let monitorsAlert = log.all.filter { $0.topic == "alert" && $0.data.contains(#""rule":"monitors""#) }.last
        #expect(try monitorsAlert.map { try JSONParser.parse($0.data) }?["state"] == "resolved")

        // Everything needed to recompute it is in the interview's file.
        let rows = try DatabaseQueue(path: dir.path + "/interviews/\(id).sqlite").read { db in
            try Row.fetchAll(db, sql: "SELECT seq, ts_ms, plugin, topic, data FROM events ORDER BY seq")
        }
        let stored = rows.map { row in
            Event(seq: UInt64(row["seq"] as Int64), timestamp: Timestamp(millisecondsSinceEpoch: row["ts_ms"]),
                  plugin: row["plugin"], topic: row["topic"], data: row["data"])
        }
        #expect(stored.contains { $0.seq == away.seq } && stored.contains { $0.seq == back.seq })
        let startEvent = try #require(stored.first { $0.topic == "interview.started" })
        let context = try #require(stored.first { $0.topic == "integrity.context" })
        let inForce = try GuidelineParser.rules(try JSONParser.parse(startEvent.data)["guidelines"]?["rules"] ?? [], at: .root).get()
        #expect(inForce == guidelines)
        #expect(stored.contains { $0.topic == "integrity.summary" })
        let recomputed = IntegrityTracker.recompute(
            interview: id, guidelines: inForce, start: startEvent.timestamp,
            end: Timestamp(millisecondsSinceEpoch: Int64(final["at_ms"]?.intValue ?? 0)),
            context: IntegrityContext.events(try JSONParser.parse(context.data)), events: stored)
        #expect(recomputed == final)
    }
}
