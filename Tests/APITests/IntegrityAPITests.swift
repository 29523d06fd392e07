import Foundation
import ProctorAPI
import ProctorHost
import ProctorJSON
import ProctorTestSupport
import Testing

/// The integrity engine through the API: a page's stricter guidelines, an
/// alert with its evidence when a plugin crashes mid-interview, the
/// `integrity.summary` request with its arithmetic, and the summary
/// published before `interview.ended`.
@Suite(.serialized) struct IntegrityAPITests {
    func ask(_ client: WebSocketTestClient, _ id: Int, _ target: String, _ method: String, _ params: String = "{}") async throws -> JSONValue {
        try await client.send(#"{"op":"request","id":\#(id),"d":{"target":"\#(target)","method":"\#(method)","params":\#(params)}}"#)
        return try JSONParser.parse(await client.receive(until: { $0.contains(#""op":"response","id":\#(id)"#) }))["d"] ?? nil
    }

    func event(_ client: WebSocketTestClient, _ match: @escaping @Sendable (String) -> Bool) async throws -> JSONValue {
        try JSONParser.parse(await client.receive(until: match, timeout: 20))["d"] ?? nil
    }

    @Test func aCrashMidInterviewIsAnAlertAndTheSummaryShowsItsCost() async throws {
        let api = try await APIHarness { config in
            config.add(id: "heartbeat", library: "heartbeat", config: ["interval_ms": 100])
            config.add(id: "chaos", library: "test-chaos", config: ["mode": "idle"], restart: ["initial_delay_ms": 50])
        }
        defer { Task { await api.stop() } }
        let (client, _) = try await api.paired(topics: ["alert", "integrity.*", "interview.*"])
        #expect(await eventually { await api.agent.supervisor("chaos")?.state.name == .running })
        #expect(try await ask(client, 1, "host", "integrity.summary")["error"]?["code"] == "no_interview")

        let looser = try await ask(client, 2, "host", "interview.start", #"{"guidelines":{"rules":[{"id":"plugin_down","min_s":2}]}}"#)["error"]
        #expect(looser?["code"] == "invalid_params")
        #expect(looser?["message"] == #"$.guidelines.rules[0].min_s: 2 is looser than this agent's config allows for rule "plugin_down" (min_s 0; a page may only lower it)"#)

        let started = try await ask(client, 3, "host", "interview.start", #"{"guidelines":{"rules":[{"id":"plugin_down","severity":"high"}]}}"#)
        let id = try #require(started["result"]?["interview"]?.stringValue)
        let announced = try await event(client) { $0.contains(#""topic":"interview.started""#) }
        let rules = announced["data"]?["guidelines"]?["rules"]?.arrayValue ?? []
        #expect(rules.first { $0["id"] == "plugin_down" }?["severity"] == "high" && rules.count == GuidelineDefaults.guidelines.rules.count)

        // Not waited for: its answer (an error, the plugin died) may come after the alert.
        try await client.send(#"{"op":"request","id":4,"d":{"target":"chaos","method":"segfault"}}"#)
        let raised = try await event(client) { $0.contains(#""topic":"alert""#) && $0.contains(#""rule":"plugin_down""#) }
        #expect(raised["data"]?["state"] == "raised" && raised["data"]?["severity"] == "high" && raised["data"]?["alert"] == "plugin_down#1")
        #expect(raised["data"]?["message"]?.stringValue?.hasPrefix("plugin chaos crashed") == true)
        let evidence = raised["data"]?["evidence"]?.arrayValue?.compactMap { $0.intValue } ?? []
        #expect(!evidence.isEmpty)
        let crashed = api.agent.bus.replay(after: 0).filter { $0.seq == UInt64(evidence.first ?? 0) }.retained.first
        #expect(crashed?.topic == "plugin.state" && crashed?.data.contains(#""state":"crashed""#) == true)
        let resolved = try await event(client) { $0.contains(#""alert":"plugin_down#1""#) && $0.contains(#""state":"resolved""#) }
        #expect(resolved["data"]?["ended_at"]?.stringValue != nil && (resolved["data"]?["duration_s"]?.doubleValue ?? -1) >= 0)

        let summary = try #require(try await ask(client, 5, "host", "integrity.summary")["result"])
        #expect(summary["interview"] == .string(id) && summary["max_score"] == 100)
        let deductions = try #require(summary["deductions"]?.arrayValue)
        var total = 0.0
        for deduction in deductions {
            let count = deduction["count"]?.doubleValue ?? 0
            let perAlert = deduction["per_alert"]?.doubleValue ?? 0
            #expect(deduction["cost"]?.doubleValue == min(count * perAlert, deduction["cap"]?.doubleValue ?? 0))
            total += deduction["cost"]?.doubleValue ?? 0
        }
        #expect(summary["score"]?.doubleValue == 100 - total)
        let crash = try #require(deductions.first { $0["rule"] == "plugin_down" })
        #expect(crash["count"] == 1 && crash["cost"] == 10 && crash["cap"] == 30 && crash["severity"] == "high", "\(summary)")
        let chaos = summary["coverage"]?.arrayValue?.first { $0["plugin"] == "chaos" }
        #expect((chaos?["not_observed_s"]?.doubleValue ?? 0) > 0 && (chaos?["share"]?.doubleValue ?? 1) < 1)

        try await client.send(#"{"op":"request","id":6,"d":{"target":"host","method":"interview.end"}}"#)
        let final = try await event(client) { $0.contains(#""topic":"integrity.summary""#) }
        #expect(final["data"]?["interview"] == .string(id) && final["data"]?["deductions"]?.arrayValue?.contains { $0["rule"] == "plugin_down" } == true)
        let ended = try await event(client) { $0.contains(#""topic":"interview.ended""#) }
        #expect((ended["seq"]?.intValue ?? 0) > (final["seq"]?.intValue ?? .max))
        #expect(try await ask(client, 7, "host", "integrity.summary")["result"]?["interview"] == .string(id))
    }
}

extension EventBus.Replay {
    /// The events it holds, whether or not the ring still reached back far enough.
    var retained: [Event] {
        switch self {
        case .events(let events), .tooOld(_, _, let events): events
        }
    }
}
