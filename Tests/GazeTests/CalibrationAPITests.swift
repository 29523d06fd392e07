import Foundation
import ProctorJSON
import ProctorTestSupport
import Testing

/// A whole calibration through the WebSocket API, as web/calibration.js
/// runs it, against the gaze plugin playing a recorded clip in real time
/// (no camera here: the clip stands in for it).
@Suite(.serialized) struct CalibrationAPITests {
    @Test func aPageCalibratesValidatesAndThenReceivesScreenPoints() async throws {
        let clip = try GazeFixtures.file(GazeFixtures.singleFace)
        let api = try await APIHarness(allowedOrigins: []) {
            $0.add(id: "gaze", library: "gaze", config: ["source": .string("file:" + clip), "sample_rate_hz": 10])
        }
        defer { Task { await api.stop() } }
        let (client, _) = try await api.paired(topics: ["gaze.calibration", "gaze.sample"])
        var nextID = 0
        func ask(_ method: String, _ params: JSONValue = [:]) async throws -> JSONValue {
            nextID += 1
            let id = nextID
            try await client.send(JSONWriter.compact(["op": "request", "id": .number(Double(id)),
                                                      "d": ["target": "gaze", "method": .string(method), "params": params]]))
            let answer = try await JSONParser.parse(client.receive(until: { $0.contains(#""op":"response","id":\#(id),"#) }))
            return answer["d"] ?? nil
        }

        // The plugin reads its landmark model after it starts: calibrate once it
        // sees the face, as a page does when its preview shows the tracking.
        _ = try await client.receive(until: { $0.contains("gaze.sample") && $0.contains(#""faces":1"#) })
        let early = try await ask("heatmap.get")
        #expect(early["error"]?["code"] == "not_calibrated", "no heatmap before a calibration: \(early)")

        let started = try await ask("calibration.start", ["screen": ["width": 1920, "height": 1080, "width_mm": 520],
                                                          "settle_ms": 100, "collect_ms": 300])
        let targets = started["result"]?["targets"]?.arrayValue ?? []
        #expect(targets.count == 13 && started["result"]?["run"] == 1 && started["result"]?["min_fit_targets"] == 5)
        #expect(targets.filter { $0["role"] == "validate" }.count == 4)
        for target in targets {
            let index = try #require(target["index"]?.intValue)
            let collecting = try await ask("calibration.collect", ["index": .number(Double(index))])
            #expect(collecting["result"]?["starts_in_ms"] == 100, "\(collecting)")
            let done = try await JSONParser.parse(client.receive(until: { $0.contains(#""phase":"collected","run":1,"index":\#(index),"#) }))
            #expect((done["d"]?["data"]?["samples"]?.intValue ?? 0) >= 1, "target \(index) got frames")
        }
        let fit = try await ask("calibration.fit")
        #expect((fit["result"]?["samples"]?.intValue ?? 0) >= 9, "\(fit)")
        #expect(fit["result"]?["training_error_px"]?.doubleValue != nil)
        let validated = try await ask("calibration.validate")
        let accuracy = try #require(validated["result"])
        #expect(accuracy["accuracy_px"]?.doubleValue != nil && accuracy["accuracy_deg"]?.doubleValue != nil, "\(validated)")
        #expect(accuracy["targets"]?.arrayValue?.count == 4)
        let status = try await ask("calibration.status")
        #expect(status["result"]?["fitted"] == true)

        // Calibrated: samples now carry a point on the screen, and the heatmap fills.
        let sample = try await JSONParser.parse(client.receive(until: { $0.contains("gaze.sample") && !$0.contains(#""screen":null"#) }))
        #expect(sample["d"]?["data"]?["screen"]?.arrayValue?.count == 2)
        try await Task.sleep(for: .milliseconds(300))
        let heatmap = try await ask("heatmap.get")
        let counts = heatmap["result"]?["counts"]?.arrayValue?.compactMap(\.intValue) ?? []
        let offScreen = heatmap["result"]?["off_screen"]?.intValue ?? 0
        #expect(counts.count == 32 * 18 && counts.reduce(0, +) + offScreen > 0)

        // Out of order: refused with the reason, and a new run can start.
        let refused = try await ask("calibration.collect", ["index": 99])
        #expect(refused["error"]?["code"] == "no_such_target")
        let again = try await ask("calibration.start", ["screen": ["width": 1280, "height": 720]])
        #expect(again["result"]?["targets"]?.arrayValue?.count == 13)
    }
}
