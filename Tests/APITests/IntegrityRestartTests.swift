import Foundation
import GRDB
import ProctorAPI
import ProctorHost
import ProctorJSON
import ProctorTestSupport
import Testing

/// The integrity engine through a `kill -9` of a real `proctord run`: the
/// continued interview keeps the alert raised before the kill (once, with
/// its id), numbers the next one after it, answers `integrity.summary` and
/// ends with one in its file.
@Suite(.serialized) struct IntegrityRestartTests {
    static let page = "https://meet.example.com"

    func ask(_ client: WebSocketTestClient, _ id: Int, _ target: String, _ method: String) async throws -> JSONValue {
        try await client.send(#"{"op":"request","id":\#(id),"d":{"target":"\#(target)","method":"\#(method)","params":{}}}"#)
        return try JSONParser.parse(await client.receive(until: { $0.contains(#""op":"response","id":\#(id)"#) }, timeout: 20))["d"] ?? nil
    }

    func event(_ client: WebSocketTestClient, _ match: @escaping @Sendable (String) -> Bool) async throws -> JSONValue {
        try JSONParser.parse(await client.receive(until: match, timeout: 30))["d"] ?? nil
    }

    static func running(_ plugin: String) -> (JSONValue) -> Bool {
        { $0["topic"] == "plugin.state" && $0["data"]?["plugin"] == .string(plugin) && $0["data"]?["state"] == "running" }
    }

    @Test func aContinuedInterviewKeepsItsAlertsAndEndsWithItsSummary() async throws {
        let directory = TemporaryDirectory("proctord-integrity-restart")
        var builder = ConfigBuilder()
        builder.api = ["port": 0, "allowed_origins": [.string(Self.page)]]
        builder.add(id: "chaos", library: "test-chaos", config: ["mode": "idle"], restart: ["initial_delay_ms": 50])
        let config = builder.write(to: directory)
        let state = directory.path + "/state"
        func launch() async throws -> (AgentProcess, Int) {
            let agent = try AgentProcess(arguments: ["run", "--config", config, "--state-dir", state, "--print-events", "plugin.state"], environment: ["XDG_RUNTIME_DIR": directory.path])
            return (agent, try #require(await agent.apiPort(timeout: .seconds(60))))
        }
        let topics = ["alert", "integrity.*", "interview.*"]

        var (agent, port) = try await launch()
        #expect(await agent.waitForEvent(timeout: .seconds(60), Self.running("chaos")) != nil)
        let code = try #require(agent.pairingCode)
        let (client, hello) = try await Pairing.connect(port: port, origin: Self.page)
        let proof = PairingProof.make(code: code, challenge: hello["d"]?["challenge"]?.stringValue ?? "", origin: Self.page)
        try await client.send(Pairing.identify(auth: ["pairing": .string(proof)], topics: topics))
        let token = try #require(try JSONParser.parse(await client.receive(until: { $0.contains(#""op":"identified""#) }))["d"]?["token"])
        let started = try await ask(client, 1, "host", "interview.start")
        let id = try #require(started["result"]?["interview"]?.stringValue)

        // Not waited for: its answer (an error, the plugin died) may come after the alert.
        try await client.send(#"{"op":"request","id":2,"d":{"target":"chaos","method":"segfault"}}"#)
        let first = try await event(client) { $0.contains(#""topic":"alert""#) && $0.contains(#""rule":"plugin_down""#) }
        #expect(first["data"]?["alert"] == "plugin_down#1" && first["data"]?["state"] == "raised")
        // Killed once the alert is in the file: the restarted agent must find it there.
        let file = state + "/interviews/\(id).sqlite"
        #expect(await eventually(timeout: .seconds(20)) {
            (try? await DatabaseQueue(path: file).read { try Int.fetchOne($0, sql: "SELECT count(*) FROM events WHERE topic = 'alert'") }) ?? 0 > 0
        })
        agent.signal(SIGKILL)
        #expect(await agent.waitForExit(timeout: .seconds(30)) != nil)

        (agent, port) = try await launch()
        #expect(await agent.waitForLog(timeout: .seconds(60), containing: "interview \(id) continued"))
        #expect(await agent.waitForEvent(timeout: .seconds(60), Self.running("chaos")) != nil)
        let (again, _) = try await Pairing.connect(port: port, origin: Self.page)
        try await again.send(Pairing.identify(auth: ["token": token], topics: topics))
        _ = try await again.receive(until: { $0.contains(#""op":"identified""#) })

        let summary = try #require(try await ask(again, 3, "host", "integrity.summary")["result"], "the continued interview has a summary")
        #expect(summary["interview"] == .string(id))
        let before = summary["deductions"]?.arrayValue?.first { $0["rule"] == "plugin_down" }
        #expect(before?["alerts"] == ["plugin_down#1"] && before?["count"] == 1, "\(summary)")

        try await again.send(#"{"op":"request","id":4,"d":{"target":"chaos","method":"segfault"}}"#)
        let next = try await event(again) { $0.contains(#""topic":"alert""#) && $0.contains(#""state":"raised""#) }
        #expect(next["data"]?["alert"] == "plugin_down#2", "\(next)")
        // The plugin is back: the crash's alert is resolved before the interview ends, so the end adds nothing.
        _ = try await event(again) { $0.contains(#""alert":"plugin_down#2""#) && $0.contains(#""state":"resolved""#) }

        let ended = try await ask(again, 5, "host", "interview.end")
        #expect(ended["result"]?["interview"] == .string(id))
        agent.signal(SIGTERM)
        #expect(await agent.waitForExit(timeout: .seconds(30)) == 0)

        let (summaries, raised) = try await DatabaseQueue(path: file).read { db in
            (try String.fetchAll(db, sql: "SELECT data FROM events WHERE topic = 'integrity.summary' ORDER BY seq"),
             try String.fetchAll(db, sql: "SELECT data FROM events WHERE topic = 'alert' ORDER BY seq").compactMap { data -> String? in
                let alert = try JSONParser.parse(data)
                return alert["state"] == "raised" ? alert["alert"]?.stringValue : nil
             })
        }
        #expect(raised == ["plugin_down#1", "plugin_down#2"], "each alert raised once, in the file")
        #expect(summaries.count == 1)
        let final = try JSONParser.parse(try #require(summaries.first))
        let deduction = final["deductions"]?.arrayValue?.first { $0["rule"] == "plugin_down" }
        #expect(final["interview"] == .string(id) && deduction?["alerts"] == ["plugin_down#1", "plugin_down#2"], "\(final)")
    }
}
