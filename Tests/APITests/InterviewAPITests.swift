import Foundation
import GRDB
import ProctorAPI
import ProctorHost
import ProctorJSON
import ProctorTestSupport
import Testing

/// `interview.start` and `interview.end` from a paired page, over real
/// sockets, against a real agent whose store writes real SQLite files.
@Suite(.serialized) struct InterviewAPITests {
    func harness() async throws -> APIHarness {
        try await APIHarness { config in config.add(id: "heartbeat", library: "heartbeat", config: ["interval_ms": 20]) }
    }

    func ask(_ client: WebSocketTestClient, _ id: Int, _ method: String, _ params: String = "{}") async throws -> JSONValue {
        try await client.send(#"{"op":"request","id":\#(id),"d":{"target":"host","method":"\#(method)","params":\#(params)}}"#)
        return try JSONParser.parse(await client.receive(until: { $0.contains(#""op":"response","id":\#(id)"#) }))["d"] ?? nil
    }

    func interviews(_ api: APIHarness) -> String { api.directory.path + "/state/interviews" }

    @Test func aPairedPageStartsAndEndsAnInterviewAndTheFileHoldsEverySeq() async throws {
        let api = try await harness()
        defer { Task { await api.stop() } }
        let (client, _) = try await api.paired(topics: ["interview.*"])
        // The event may come before or after the answer: a second page reads it.
        let (watcher, _) = try await api.paired(topics: ["interview.*"])
        let started = try await ask(client, 1, "interview.start", #"{"title":"Round 2","guidelines":{"rules":[{"id":"look_away","min_s":3}]}}"#)["result"]
        let id = try #require(started?["interview"]?.stringValue)
        let firstSeq = try #require(started?["first_seq"]?.intValue)
        #expect(started?["started_at"]?.stringValue?.hasSuffix("Z") == true)
        let event = try JSONParser.parse(await watcher.receive(until: { $0.contains(#""topic":"interview.started""#) }))
        #expect(event["d"]?["data"]?["interview"]?.stringValue == id && event["d"]?["data"]?["title"] == "Round 2")

        let again = try await ask(client, 2, "interview.start")["error"]
        #expect(again?["code"] == "interview_running" && again?["message"]?.stringValue?.contains(id) == true)
        let bad = try await ask(client, 3, "interview.start", #"{"title":5}"#)["error"]
        #expect(bad?["code"] == "invalid_params")

        // Let the heartbeat plugin put some events into the interview.
        _ = try await client.send(#"{"op":"subscribe","id":"s","d":{"topics":["interview.*","heartbeat.tick"]}}"#)
        for _ in 0..<5 { _ = try await client.receive(until: { $0.contains(#""topic":"heartbeat.tick""#) }) }
        let summary = try #require(try await ask(client, 4, "interview.end")["result"])
        let lastSeq = try #require(summary["last_seq"]?.intValue)
        #expect(summary["interview"]?.stringValue == id && summary["reason"] == "request" && summary["missed"] == 0)
        #expect(summary["events"]?.intValue == lastSeq - firstSeq + 1 && lastSeq - firstSeq > 5)
        #expect((summary["duration_s"]?.doubleValue ?? -1) >= 0)

        let seqs = try await DatabaseQueue(path: interviews(api) + "/\(id).sqlite").read {
            try Int64.fetchAll($0, sql: "SELECT seq FROM events ORDER BY seq")
        }
        #expect(seqs == Array(Int64(firstSeq)...Int64(lastSeq)))
        #expect(try await ask(client, 5, "interview.end")["error"]?["code"] == "no_interview")
    }

    @Test func endingThePageSessionEndsItsInterview() async throws {
        let api = try await harness()
        defer { Task { await api.stop() } }
        let (client, _) = try await api.paired()
        let id = try #require(try await ask(client, 1, "interview.start")["result"]?["interview"]?.stringValue)
        #expect(try await ask(client, 2, "session.end")["result"] == [:])
        #expect(await eventually(timeout: .seconds(10)) { await api.agent.interviews.current == nil })
        // The interview stops being current before its end is in the file: wait for the file.
        let archive = InterviewArchive(directory: interviews(api))
        #expect(await eventually(timeout: .seconds(10)) { (try? archive.summary(id))?["state"] == "ended" })
        let summary = try archive.summary(id)
        #expect(summary["state"] == "ended" && summary["end_reason"] == "session_ended")
    }

    /// A plain file where the interviews directory should be: the request
    /// gets the documented error and the agent keeps serving events.
    @Test func anUnusableStoreIsAnErrorAndEventsFlowOn() async throws {
        let api = try await harness()
        defer { Task { await api.stop() } }
        try FileManager.default.createDirectory(atPath: api.directory.path + "/state", withIntermediateDirectories: true)
        api.directory.write("state/interviews", "not a directory")
        let (client, _) = try await api.paired(topics: ["heartbeat.tick"])
        let error = try await ask(client, 1, "interview.start")["error"]
        #expect(error?["code"] == "store_failed" && error?["message"] == .string("\(interviews(api)): not a directory"))
        let before = try JSONParser.parse(await client.receive(until: { $0.contains(#""topic":"heartbeat.tick""#) }))["d"]?["seq"]?.intValue ?? 0
        let after = try JSONParser.parse(await client.receive(until: { $0.contains(#""topic":"heartbeat.tick""#) }))["d"]?["seq"]?.intValue ?? 0
        #expect(after > before)
    }

    /// Stopping the agent ends the interview in the file; starting one
    /// prunes files older than store.retention_days and keeps the rest.
    @Test func theAgentEndsItsInterviewWhenItStopsAndPrunesOldOnesAtStart() async throws {
        let api = try await harness()
        let (client, _) = try await api.paired()
        let id = try #require(try await ask(client, 1, "interview.start")["result"]?["interview"]?.stringValue)
        await api.stop()
        let archive = InterviewArchive(directory: interviews(api))
        let summary = try archive.summary(id)
        #expect(summary["state"] == "ended" && summary["end_reason"] == "agent_stopped")

        var old = [timespec(tv_sec: time(nil) - 40 * 86_400, tv_nsec: 0), timespec(tv_sec: time(nil) - 40 * 86_400, tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, archive.path(id), &old, 0) == 0)
        var config = ConfigBuilder()
        config.add(id: "heartbeat", library: "heartbeat")
        let file = config.write(to: api.directory, name: "again.json")
        let agent = Agent(config: try ConfigLoader.load(file: file), paths: await api.agent.paths, logger: .silent, executable: TestBuild.proctord)
        try await agent.start()
        await agent.stopAll()
        #expect(archive.ids().isEmpty)
    }

    /// A page that resumes from further back than the ring reaches gets the
    /// rest from the interview's file: every event of its topics once, in
    /// order, then the ring's, then live ones, with no gap and no repeat;
    /// nothing from before its session was paired, no other topic.
    @Test func aResumeOlderThanTheRingIsReplayedFromTheStore() async throws {
        let api = try await harness()
        defer { Task { await api.stop() } }
        let bus = api.agent.bus
        let (starter, _) = try await api.paired()
        let firstSeq = try #require(try await ask(starter, 1, "interview.start")["result"]?["first_seq"]?.intValue)
        // Published before the resuming page paired: in the file, never its to replay.
        let before = (0..<100).map { bus.publish(plugin: "test", topic: "test.n", data: #"{"n":\#($0),"before":true}"#) }.last!
        _ = await eventually { Timestamp.now() > before.timestamp }
        let (page, identified) = try await api.paired(topics: ["test.*"])
        let token = try #require(identified["token"])
        try await page.sendClose()
        // From the interview's start: what came before the pairing is in the range, and left out.
        let after = UInt64(firstSeq)
        // Three rings' worth while the page is away, with another topic between.
        var expected: [UInt64] = []
        for n in 0..<30_000 {
            expected.append(bus.publish(plugin: "test", topic: "test.n", data: #"{"n":\#(n)}"#).seq)
            if n % 3 == 0 { bus.publish(plugin: "test", topic: "other.n", data: #"{"n":\#(n)}"#) }
        }
        guard case .tooOld(_, let oldest, _) = bus.replay(after: after) else {
            Issue.record("the ring still holds seq \(after + 1)")
            return
        }
        #expect(oldest > expected[10_000])

        let (again, _) = try await api.connect()
        try await again.send(APIHarness.identify(
            auth: ["token": token], topics: ["test.*"], resume: ["agent_session": .string(bus.agentSession), "after_seq": .number(Double(after))]))
        let back = try JSONParser.parse(await again.receiveText())["d"]
        #expect(back?["resume"]?["status"] == "replayed", "\(String(describing: back))")
        #expect(back?["resume"]?["count"]?.intValue == expected.count && back?["resume"]?["from_seq"]?.intValue == Int(expected[0]))
        let live = bus.publish(plugin: "test", topic: "test.n", data: #"{"live":true}"#)
        var seqs: [UInt64] = []
        while seqs.count < expected.count + 1 {
            let text = try await again.receive(until: { $0.hasPrefix(#"{"op":"event""#) })
            let event = try JSONParser.parse(text)["d"]
            #expect(event?["topic"] == "test.n")
            seqs.append(UInt64(event?["seq"]?.intValue ?? 0))
        }
        #expect(seqs == expected + [live.seq], "every event once, in order, then live")
    }
}
