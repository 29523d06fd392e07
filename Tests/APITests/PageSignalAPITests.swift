import Foundation
import ProctorAPI
import ProctorHost
import ProctorJSON
import ProctorTestSupport
import Testing

/// The page's own reports (`page.*` host requests) through the API: published
/// marked as the page's, checked strictly, rate-limited, counted by the
/// integrity rules when no plugin watches the desktop, and listed on the
/// agent's page with which signals come from where.
@Suite(.serialized) struct PageSignalAPITests {
    /// A host request; `params` nil sends none at all.
    func ask(_ client: WebSocketTestClient, _ id: Int, _ method: String, _ params: String?) async throws -> JSONValue {
        let members = params.map { #","params":\#($0)"# } ?? ""
        try await client.send(#"{"op":"request","id":\#(id),"d":{"target":"host","method":"\#(method)"\#(members)}}"#)
        return try JSONParser.parse(await client.receive(until: { $0.contains(#""op":"response","id":\#(id)"#) }, timeout: 20))["d"] ?? nil
    }

    func harness() async throws -> APIHarness {
        // No screen or desktop plugin: the page's word is all there is.
        try await APIHarness { $0.add(id: "heartbeat", library: "heartbeat", config: ["interval_ms": 1000]) }
    }

    @Test func aReportIsPublishedOnceMarkedAsThePagesAndMatchesItsSchema() async throws {
        let api = try await harness()
        defer { Task { await api.stop() } }
        let (client, identified) = try await api.paired(topics: ["page.*"])
        let session = try #require(identified["session"]?.stringValue)
        let log = EventLog(bus: api.agent.bus, patterns: ["page.*"])

        // The event may reach the page before the answer or after it (a busy machine): take both, in either order.
        try await client.send(#"{"op":"request","id":1,"d":{"target":"host","method":"page.visibility","params":{"visible":false}}}"#)
        var answer: JSONValue?, event: JSONValue?
        while answer == nil || event == nil {
            let text = try await client.receive(until: { $0.contains(#""op":"response","id":1"#) || $0.contains(#""topic":"page.visibility""#) }, timeout: 20)
            let message = try JSONParser.parse(text)
            if message["op"] == "response" { answer = message["d"] ?? nil } else { event = message["d"] ?? nil }
        }
        let seq = try #require(answer?["result"]?["seq"]?.intValue, "\(String(describing: answer))")
        #expect(answer?["result"]?["published"] == true)
        #expect(event?["seq"]?.intValue == seq && event?["plugin"] == "host")
        #expect(event?["data"] == ["source": "page", "session": .string(session), "origin": .string(api.ownOrigin), "visible": false])

        // The same state again: answered, not published.
        let again = try await ask(client, 2, "page.visibility", #"{"visible":false}"#)
        #expect(again["result"] == ["published": false, "seq": .null])
        _ = try await ask(client, 3, "page.fullscreen", #"{"full_screen":true,"keyboard_lock":"locked"}"#)
        _ = try await ask(client, 4, "page.focus", #"{"focused":false}"#)
        _ = try await ask(client, 5, "page.screen_share", #"{"track":"muted","display_surface":"monitor"}"#)
        _ = await log.waitFor("page.screen_share")
        #expect(log.all.map(\.topic) == ["page.visibility", "page.fullscreen", "page.focus", "page.screen_share"])
        let problems = try log.schemaProblems()
        #expect(problems.isEmpty, "\(problems)")
    }

    /// Reports sent back to back are published in the order sent: the last event is the page's state now.
    @Test func reportsSentBackToBackKeepTheirOrder() async throws {
        let api = try await harness()
        defer { Task { await api.stop() } }
        let (client, _) = try await api.paired()
        let log = EventLog(bus: api.agent.bus, patterns: ["page.visibility"])
        for id in 1...10 {
            let visible = id.isMultiple(of: 2) ? "true" : "false"
            try await client.send(#"{"op":"request","id":\#(id),"d":{"target":"host","method":"page.visibility","params":{"visible":\#(visible)}}}"#)
        }
        _ = try await client.receive(until: { $0.contains(#""op":"response","id":10"#) }, timeout: 20)
        #expect(await eventually { log.data("page.visibility").count == 10 })
        let order = log.data("page.visibility").compactMap { $0["visible"]?.boolValue }
        #expect(order == (1...10).map { $0.isMultiple(of: 2) }, "\(order)")
    }

    /// Each malformed report is refused with `invalid_params` naming the member and its value, as protocol.md words it.
    @Test func aMalformedReportIsRefusedNamingTheMemberAndValue() async throws {
        let api = try await harness()
        defer { Task { await api.stop() } }
        let (client, _) = try await api.paired(topics: ["page.*"])
        let cases: [(String, String?, String)] = [
            ("page.visibility", nil, #"no params; page.visibility takes {"visible": boolean}"#),
            ("page.visibility", #"{"visible":"no"}"#, #"visible must be a boolean, not "no"; page.visibility takes {"visible": boolean}"#),
            ("page.visibility", "{}", #"visible is missing; page.visibility takes {"visible": boolean}"#),
            ("page.visibility", #"{"visible":true,"at":1}"#, #"unknown param "at"; page.visibility takes {"visible": boolean}"#),
            ("page.screen_share", #"{"track":"paused"}"#,
             #"track must be "live", "muted" or "ended", not "paused"; page.screen_share takes {"track": "live"|"muted"|"ended", "display_surface"?: "monitor"|"window"|"browser"|null}"#),
            ("page.fullscreen", #"{"full_screen":true,"keyboard_lock":1}"#,
             #"keyboard_lock must be "locked", "off", "refused" or "unsupported", not 1; page.fullscreen takes {"full_screen": boolean, "keyboard_lock"?: "locked"|"off"|"refused"|"unsupported"}"#),
        ]
        for (index, (method, params, message)) in cases.enumerated() {
            let error = try await ask(client, index + 1, method, params)["error"]
            #expect(error?["code"] == "invalid_params" && error?["message"] == .string(message), "\(method) \(params ?? "no params"): \(String(describing: error))")
        }
        #expect(api.agent.bus.replay(after: 0).retained.allSatisfy { !$0.topic.hasPrefix("page.") }, "nothing malformed was published")
    }

    @Test func aChattySessionIsRateLimited() async throws {
        let api = try await harness()
        defer { Task { await api.stop() } }
        let (client, _) = try await api.paired()
        for id in 1...20 {
            let answer = try await ask(client, id, "page.focus", id.isMultiple(of: 2) ? #"{"focused":true}"# : #"{"focused":false}"#)
            #expect(answer["result"]?["published"] == true, "report \(id): \(answer)")
        }
        let refused = try await ask(client, 21, "page.focus", #"{"focused":false}"#)["error"]
        #expect(refused?["code"] == "rate_limited")
        #expect(refused?["message"]?.stringValue?.hasPrefix("at most 20 page reports per 10 s from one session; retry in ") == true, "\(String(describing: refused))")
        #expect(api.agent.bus.replay(after: 0).retained.filter { $0.topic == "page.focus" }.count == 20)
    }

    /// With no screen or desktop plugin, a page that says it is hidden is an
    /// alert of the page rule, at its low severity, citing the page's report.
    @Test func withNoDesktopPluginAHiddenPageIsAPageAwayAlert() async throws {
        let api = try await harness()
        defer { Task { await api.stop() } }
        let (client, _) = try await api.paired(topics: ["alert"])
        let started = try await ask(client, 1, "interview.start", #"{"guidelines":{"rules":[{"id":"page_away","min_s":0.5}]}}"#)
        #expect(started["result"]?["interview"] != nil, "\(started)")
        let hidden = try #require(try await ask(client, 2, "page.visibility", #"{"visible":false}"#)["result"]?["seq"]?.intValue)
        let raised = try JSONParser.parse(await client.receive(until: { $0.contains(#""rule":"page_away""#) }, timeout: 20))["d"]?["data"]
        #expect(raised?["state"] == "raised" && raised?["severity"] == "low" && raised?["evidence"]?.arrayValue?.first?.intValue == hidden)
        #expect(raised?["message"]?.stringValue?.contains("the page's own report") == true, "\(String(describing: raised))")
        // Not waiting for the answer: the resolution may reach the page before it, and would be read past.
        try await client.send(#"{"op":"request","id":3,"d":{"target":"host","method":"page.visibility","params":{"visible":true}}}"#)
        let resolved = try JSONParser.parse(await client.receive(until: { $0.contains(#""rule":"page_away""#) && $0.contains(#""state":"resolved""#) }, timeout: 20))
        #expect(resolved["d"]?["data"]?["alert"] == "page_away#1")
    }

    /// The agent's page says which signals come from the desktop and which from
    /// the page only, and what each page last said.
    @Test func theAgentsPageListsWhereEachSignalComesFrom() async throws {
        let api = try await harness()
        defer { Task { await api.stop() } }
        let (client, identified) = try await api.paired()
        let session = try #require(identified["session"]?.stringValue)
        _ = try await ask(client, 1, "page.focus", #"{"focused":false}"#)
        let (status, body) = try await HTTPGet.get(port: api.port, path: "/local/status")
        #expect(status == 200)
        let signals = try #require(try JSONParser.parse(body)["signals"])
        let rows = signals["signals"]?.arrayValue ?? []
        func source(_ name: String) -> JSONValue? { rows.first { $0["signal"] == .string(name) }?["source"] }
        #expect(rows.compactMap { $0["signal"]?.stringValue } == ["focus", "visibility", "full_screen", "windows", "clipboard", "monitors", "covered", "screen_share"])
        // No screen or desktop plugin runs here: focus, visibility, full screen and the share come from the page.
        #expect(source("focus") == "page" && source("visibility") == "page" && source("full_screen") == "page" && source("screen_share") == "page")
        #expect(source("clipboard") == "none" && source("windows") == "none" && source("monitors") == "none")
        #expect(rows.first { $0["signal"] == "focus" }?["topics"] == ["page.focus"])
        #expect(signals["pages"]?[session]?["page.focus"] == ["focused": false])
    }
}
