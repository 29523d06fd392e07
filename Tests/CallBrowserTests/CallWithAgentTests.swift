import Foundation
import ProctorJSON
import ProctorTestSupport
import Testing

/// The whole chain of the reference interview app with a real agent: a
/// running proctord (heartbeat, and gaze on a recorded clip played as its
/// camera, looping), the interviewee's page in one headless Chromium pairing
/// with it through the call server's origin, the interviewer's dashboard in
/// another, and the agent's events crossing the WebRTC `proctor` channel.
@Suite(.serialized) struct CallWithAgentTests {
    let scratch = TemporaryDirectory("proctord-call-agent")

    /// The events reach the dashboard without a hole in their seqs (only
    /// what the agent said it thinned is missing), none is drawn as a gap,
    /// and the time from the agent's `ts` to the dashboard's drawing is printed.
    @Test func theAgentsEventsReachTheDashboardWithoutGaps() async throws {
        let clip = try GazeFixtures.file(GazeFixtures.singleFace)
        let server = try await CallServerProcess()
        let api = try await APIHarness(allowedOrigins: [server.origin]) {
            $0.add(id: "heartbeat", library: "heartbeat", config: ["interval_ms": 250])
            $0.add(id: "gaze", library: "gaze", config: ["source": .string("file:" + clip), "sample_rate_hz": 10])
        }
        let room = try await server.createRoom(title: "Call with the agent")
        let code = try #require(room["codes"]?["interviewee"]?.stringValue, "\(room)")
        let interviewerLink = try #require(room["links"]?["interviewer"]?.stringValue, "\(room)")

        let candidateBrowser = try await Chromium.launch(extraArguments: fakeMediaSwitches)
        let interviewerBrowser = try await Chromium.launch(extraArguments: fakeMediaSwitches)

        // The interviewee: devices, then the agent's check, its pairing code, no calibration.
        let link = "\(server.origin)/?agent=ws://127.0.0.1:\(api.port)/#code=\(code)"
        let candidate = try await CallPage.open(link, in: candidateBrowser, name: "interviewee", scratch: scratch.path)
        try await candidate.acceptDevicesAndPair(code: api.pairingCode)
        // The gaze plugin runs, so calibration is offered; skipped: this test is about the events' way.
        #expect(try await candidate.waitUntil("document.querySelector('#agent-root [data-action=skip]')", timeout: 60))
        try await candidate.click("#agent-root [data-action=skip]")
        #expect(try await candidate.waitForStep("join"))
        #expect(try await candidate.session.evaluate("document.body.dataset.agentStep") == "done")
        #expect(try await candidate.text("#join-shared").contains("what the proctoring agent observes"), "the page says the agent is paired")
        try await candidate.screenshot("paired")
        try await candidate.click("#join")
        #expect(try await candidate.waitForStep("call"))

        // The interviewer: the link with the code and secret, the probe, then the call.
        let interviewer = try await CallPage.open(interviewerLink, in: interviewerBrowser, name: "dashboard", scratch: scratch.path)
        #expect(try await interviewer.waitForStep("devices"))
        let probe = DashboardProbe(page: interviewer)
        try await probe.install()
        let joinedAt = Date()
        try await interviewer.clickWhenEnabled("#devices-continue")
        #expect(try await interviewer.waitForStep("call"))
        let seen = try await interviewer.waitForPlayingVideo("remote-video")
        try #require(seen > 0, "the interviewer sees the candidate; the server: \(server.log.suffix(2000))")
        print("call with agent: join to first remote frame \(Int(Date().timeIntervalSince(joinedAt) * 1000)) ms")

        // Events flow; the measurement starts once they do (earlier ones waited for the channel to open).
        let flowing = try await interviewer.waitUntil("window.__probe.events.length > 0", timeout: 60)
        try #require(flowing, "agent events reach the dashboard's page")
        let from = try await probe.now()
        let first = try await probe.count()
        let enough = try await interviewer.waitUntil(
            "window.__probe.events.filter((e) => e.ts >= \(from) && e.shown !== null).length >= 150", timeout: 120)
        let (events, thinned) = try await probe.received()
        #expect(enough, "150 events after the start of the measurement; \(events.count) in all")
        #expect(events.count > first, "the count of events received grows: \(first) then \(events.count)")

        // Seqs only rise; every hole is what the agent thinned (and said so), and the dashboard draws no gap.
        var missing = 0
        var descending = 0
        for (a, b) in zip(events, events.dropFirst()) {
            if b.seq <= a.seq { descending += 1 } else { missing += b.seq - a.seq - 1 }
        }
        #expect(descending == 0, "seqs in the order received only rise")
        #expect(missing <= thinned, "\(missing) seqs missing, \(thinned) thinned by the agent")
        print("call with agent: \(events.count) events received, seqs \(events.first?.seq ?? 0)...\(events.last?.seq ?? 0), \(missing) missing, \(thinned) thinned by the agent")
        _ = try await interviewer.poll("document.querySelector('#dashboard .gaps')?.dataset.count ?? ''") { $0 != "" }
        #expect(try await interviewer.session.evaluate("document.querySelector('#dashboard .gaps').dataset.count") == "0")
        #expect(try await interviewer.session.evaluate("document.querySelectorAll('#dashboard svg.timeline rect.gap').length") == 0)
        let verdict = try await interviewer.poll("document.querySelector('#dashboard .liveness .verdict')?.dataset.verdict ?? ''") { $0 == "observed" }
        #expect(verdict == "observed", "the dashboard says the agent observes")
        #expect(Set(events.map(\.topic)).isSuperset(of: ["heartbeat.tick", "gaze.sample"]), "\(Set(events.map(\.topic)))")

        // Latency: the agent's ts (ms) to the dashboard drawing it, the same machine's wall clock.
        let measured = events.filter { $0.ts >= from }.compactMap { e in e.shown.map { (topic: e.topic, shown: $0 - e.ts, received: e.received - e.ts) } }
        #expect(measured.count >= 100)
        let shown = measured.map(\.shown).sorted()
        let received = measured.map(\.received).sorted()
        let ticks = measured.filter { $0.topic == "heartbeat.tick" }.map(\.shown).sorted()
        print("call with agent: \(measured.count) events, agent ts to dashboard drawn: median \(Self.rounded(Self.percentile(shown, 50))) ms, p99 \(Self.rounded(Self.percentile(shown, 99))) ms; to the page's data channel: median \(Self.rounded(Self.percentile(received, 50))) ms, p99 \(Self.rounded(Self.percentile(received, 99))) ms; heartbeat.tick alone (\(ticks.count)): median \(Self.rounded(Self.percentile(ticks, 50))) ms, p99 \(Self.rounded(Self.percentile(ticks, 99))) ms")
        #expect(Self.percentile(shown, 50) >= 0, "the dashboard draws an event after the agent made it")
        // Per event, in order: made by the agent, then on the page's channel, then drawn (ts has whole milliseconds).
        let disordered = measured.filter { $0.received < -1 || $0.shown < $0.received - 1 }
        #expect(disordered.isEmpty, "events drawn before they arrived, or arriving before the agent made them: \(disordered.prefix(3))")

        // What a reader of docs/call.md sees: the paired interviewee in the call, the dashboard live.
        try await candidate.screenshot("call-with-agent")
        // Tall enough for the whole dashboard (agent, score, alerts, gaze, timeline) in one picture.
        try await interviewer.session.call("Emulation.setDeviceMetricsOverride", ["width": 1280, "height": 1500, "deviceScaleFactor": 1, "mobile": false])
        _ = try await interviewer.session.evaluate("document.getElementById('dashboard').scrollIntoView(); true")
        try await interviewer.screenshot("live", doc: true)
        await api.stop()
        withExtendedLifetime(server) {}
    }

    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let index = Int((p / 100 * Double(sorted.count - 1)).rounded())
        return sorted[min(max(index, 0), sorted.count - 1)]
    }

    static func rounded(_ value: Double) -> String { String(format: "%.1f", value) }
}
