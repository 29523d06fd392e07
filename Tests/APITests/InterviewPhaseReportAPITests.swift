import Foundation
import ProctorAPI
import ProctorHost
import ProctorJSON
import ProctorTestSupport
import Testing

/// `interview.phase`, the live `gaze.heatmap` and `interview.report` from a
/// paired page, over real sockets, against a real agent whose gaze plugin
/// plays a recorded face as its camera (never calibrated: the analytics must say so).
@Suite(.serialized) struct InterviewPhaseReportAPITests {
    func ask(_ client: WebSocketTestClient, _ id: Int, _ method: String, _ params: String = "{}") async throws -> JSONValue {
        try await client.send(#"{"op":"request","id":\#(id),"d":{"target":"host","method":"\#(method)","params":\#(params)}}"#)
        return try JSONParser.parse(await client.receive(until: { $0.contains(#""op":"response","id":\#(id)"#) }, timeout: 30))["d"] ?? nil
    }

    @Test func aPageMarksPhasesSeesTheLiveHeatmapAndGetsTheReport() async throws {
        let clip = try GazeFixtures.file(GazeFixtures.singleFace)
        let api = try await APIHarness { config in
            config.add(id: "gaze", library: "gaze", config: ["source": .string("file:" + clip), "sample_rate_hz": 15])
        }
        defer { Task { await api.stop() } }
        let (client, _) = try await api.paired(topics: ["interview.*", "gaze.heatmap"])
        let none = try await ask(client, 1, "interview.phase", #"{"name":"too early"}"#)["error"]
        #expect(none == ["code": "no_interview", "message": "no interview is running"])
        let id = try #require(try await ask(client, 2, "interview.start", #"{"title":"phases"}"#)["result"]?["interview"]?.stringValue)

        for (params, message) in [
            ("{}", #"interview.phase takes {"name": string, "quiet"?: boolean}: name is missing"#),
            (#"{"name":7}"#, "name must be a string, not integer"),
            (#"{"name":"   "}"#, "name must not be blank"),
            (#"{"name":"\#(String(repeating: "é", count: 101))"}"#, "name must be at most 100 characters (got 101)"),
            (#"{"name":"q","when":1}"#, #"unknown param "when"; interview.phase takes {"name": string, "quiet"?: boolean}"#),
            (#"{"name":"q","quiet":"yes"}"#, "quiet must be a boolean, not string"),
        ] {
            let error = try await ask(client, 3, "interview.phase", params)["error"]
            #expect(error == ["code": "invalid_params", "message": .string(message)], "\(params)")
        }
        let marked = try #require(try await ask(client, 4, "interview.phase", #"{"name":"question 1"}"#)["result"])
        #expect(marked["interview"]?.stringValue == id && marked["name"] == "question 1")
        let event = try JSONParser.parse(await client.receive(until: { $0.contains(#""topic":"interview.phase""#) }))["d"]
        #expect(event?["seq"] == marked["seq"] && event?["data"] == ["interview": .string(id), "name": "question 1"])
        // A quiet phase says so in its event (a page that only listens sees it; the asking page's answer may come after).
        let (listener, _) = try await api.paired(topics: ["interview.phase"])
        let quiet = try #require(try await ask(client, 7, "interview.phase", #"{"name":"reading","quiet":true}"#)["result"])
        let quietEvent = try JSONParser.parse(await listener.receive(until: { $0.contains(#""name":"reading""#) }))["d"]
        #expect(quietEvent?["seq"] == quiet["seq"] && quietEvent?["data"] == ["interview": .string(id), "name": "reading", "quiet": true])
        _ = try await ask(client, 8, "interview.phase", #"{"name":"question 1"}"#)

        // The live view: a heatmap of the phase under way, labelled uncalibrated.
        // The first one of the phase may come before any gaze in it (basis "none"):
        // the clip loops, so a later one has some.
        let schemas = try TopicSchemas.load()
        var live: JSONValue?
        while live?["phase"]?["name"] != "question 1" || live?["phase"]?["basis"] == "none" {
            let text = try await client.receive(until: { $0.contains(#""topic":"gaze.heatmap""#) }, timeout: 60)
            live = try JSONParser.parse(text)["d"]?["data"]
            let problems = schemas.problems(with: Event(seq: 1, timestamp: .now(), plugin: "host", topic: "gaze.heatmap", data: JSONWriter.compact(live ?? [:])))
            #expect(problems.isEmpty, "\(problems)")
        }
        #expect(live?["interview"]?.stringValue == id && live?["phase"]?["basis"] == "uncalibrated")
        #expect(live?["phase"]?["notice"]?.stringValue?.hasPrefix("Not calibrated") == true && live?["phase"]?["direction_heatmap"] != .null)

        _ = try await ask(client, 5, "interview.end")
        let report = try #require(try await ask(client, 6, "interview.report", #"{"format":"json"}"#)["result"])
        #expect(report["interview"]?.stringValue == id && report["format"] == "json")
        let phases = (report["report"]?["phases"]?.arrayValue ?? []).map { $0["name"]?.stringValue ?? "-" }
        #expect(phases == ["question 1", "reading", "question 1"])
        #expect(report["report"]?["gaze"]?["calibrated"] == false && report["report"]?["alerts"]?["note"] == "no alerts recorded")
        let html = try #require(try await ask(client, 7, "interview.report", #"{"format":"html","interview":"\#(id)"}"#)["result"]?["html"]?.stringValue)
        #expect(html.hasPrefix("<!doctype html>") && html.contains("class=\"heatmap\""))

        let bad = try await ask(client, 8, "interview.report", #"{"format":"pdf"}"#)["error"]
        #expect(bad == ["code": "invalid_params", "message": #"format must be "json" or "html", not "pdf""#])
        // Another page's session sees nothing of this interview.
        let (other, _) = try await api.paired()
        let foreign = try await ask(other, 9, "interview.report", #"{"format":"json","interview":"\#(id)"}"#)["error"]
        #expect(foreign == ["code": "unknown_interview", "message": .string("no interview \"\(id)\" of this session")])
        let nothing = try await ask(other, 10, "interview.report", #"{"format":"json"}"#)["error"]
        #expect(nothing?["code"] == "unknown_interview")
    }
}
