import Foundation
import ProctorAPI
import ProctorHost
import ProctorJSON
import ProctorTestSupport
import Testing

/// The face-absent guideline end to end: a real agent whose gaze plugin plays
/// face_noface.mov (a face, then an empty room, looping) as its camera, an
/// interview started by a paired page, and the alert that page receives.
@Suite(.serialized) struct FaceAbsentEndToEndTests {
    /// The page's stricter rule: the clip's empty room lasts a few seconds, not the default 5.
    static let minimumMs: Int64 = 1000

    @Test func anEmptyRoomRaisesAndResolvesFaceAbsentWithItsFramesAsEvidence() async throws {
        let clip = try GazeFixtures.file(GazeFixtures.faceNoFace)
        let api = try await APIHarness { config in
            config.add(id: "gaze", library: "gaze", config: ["source": .string("file:" + clip), "sample_rate_hz": 10])
        }
        defer { Task { await api.stop() } }
        let (client, _) = try await api.paired(topics: ["gaze.sample", "alert", "interview.*"])
        let page = PageEvents(client)
        // Started while the camera shows the face, so the empty room that follows is seen whole.
        try await page.waitFor(timeout: 60) { $0.topic == "gaze.sample" && $0.data["faces"] == 1 }
        let started = try await page.ask("host", "interview.start",
                                         ["title": "face absent", "guidelines": ["rules": [["id": "face_absent", "min_s": .number(Double(Self.minimumMs) / 1000)]]]])
        let id = try #require(started["result"]?["interview"]?.stringValue, "\(started)")
        let startSeq = try await page.waitFor { $0.topic == "interview.started" }.seq

        let resolved = try await page.waitFor(timeout: 60) { $0.topic == "alert" && $0.data["rule"] == "face_absent" && $0.data["state"] == "resolved" }
        let alert = resolved.data["alert"]
        let states = page.events.filter { $0.topic == "alert" && $0.data["alert"] == alert }.map { $0.data["state"]?.stringValue ?? "-" }
        #expect(states.first == "raised" && states.last == "resolved" && states.dropFirst().dropLast().allSatisfy { $0 == "updated" }, "\(states)")
        #expect(resolved.data["interview"] == .string(id) && resolved.data["severity"] == "medium")
        #expect(page.notices.allSatisfy { $0["op"] != "dropped" }, "the page was sent every gaze sample: \(page.notices)")

        // What the page saw: runs of frames without a face after the start, each ended by a frame with one.
        let samples = page.events.filter { $0.topic == "gaze.sample" && $0.seq > startSeq && $0.seq < resolved.seq }
        var runs: [(seqs: [UInt64], from: Int64, to: Int64)] = []
        var open: [PageEvents.Received] = []
        for sample in samples {
            if sample.data["faces"] == 0 { open.append(sample); continue }
            if let first = open.first { runs.append((open.map(\.seq), first.ms, sample.ms)) }
            open = []
        }
        let expected = try #require(runs.first { $0.to - $0.from >= Self.minimumMs }, "no empty room of 1 s or more: \(runs.map { $0.to - $0.from })")
        let evidence = resolved.data["evidence"]?.arrayValue?.compactMap { $0.intValue }.map { UInt64($0) } ?? []
        #expect(evidence == expected.seqs, "the evidence is exactly the frames without a face")
        #expect(resolved.data["evidence_omitted"] == nil)
        let schemas = try TopicSchemas.load()
        #expect(page.events.flatMap { schemas.problems(with: $0.event) } == [], "every event the page received is as docs/topics.json says")
        let duration = resolved.data["duration_s"]?.doubleValue ?? 0
        #expect(abs(duration * 1000 - Double(expected.to - expected.from)) < 50, "\(duration) s against the frames' \(expected.to - expected.from) ms")

        // The report lists it too.
        _ = try await page.ask("host", "interview.end")
        let report = try await page.ask("host", "interview.report", ["format": "json", "interview": .string(id)])
        let listed = report["result"]?["report"]?["alerts"]?["items"]?.arrayValue ?? []
        let item = try #require(listed.first { $0["alert"] == alert }, "the report lists \(alert ?? .null): \(report)")
        #expect(item["state"] == "resolved" && item["evidence"] == resolved.data["evidence"])
    }
}
