import Foundation
import ProctorJSON
import ProctorTestSupport

/// The reference interview app as people use it, on loopback: the real
/// `proctord-call`, two headless Chromiums with fake cameras, and a real
/// agent (heartbeat every 250 ms, gaze at 10 Hz on `single_face.mp4`
/// looping) paired with the interviewee's page. Issue 17's figures: how long
/// the interviewer's join takes to show the candidate's first video frame,
/// and how long an agent event takes from its `ts` to the interviewer's
/// dashboard drawing it (and to that page's data channel).
struct CallBrowserBenchmark {
    /// Join trials: each a fresh room and fresh tabs in the same two browsers.
    let joins: Int
    /// Agent events measured on the dashboard.
    let events: Int

    func run() async throws -> [Figure] {
        let scratch = TemporaryDirectory("proctord-call-browser-bench")
        // BENCH_CALL_SERVER: another build of it (a release one beside a debug bench).
        let server = try await CallServerProcess(executable: ProcessInfo.processInfo.environment["BENCH_CALL_SERVER"] ?? TestBuild.proctordCall)
        let candidateBrowser = try await Chromium.launch(extraArguments: fakeMediaSwitches)
        let interviewerBrowser = try await Chromium.launch(extraArguments: fakeMediaSwitches)
        let browsers = (candidate: candidateBrowser, interviewer: interviewerBrowser)

        var firstFrames: [Double] = []
        for trial in 0..<joins {
            firstFrames.append(try await joinToFirstFrame(trial: trial, server: server, browsers: browsers, scratch: scratch.path))
        }
        let latency = try await agentToDashboard(server: server, browsers: browsers, scratch: scratch.path)
        withExtendedLifetime(server) {}

        let frames = firstFrames.sorted()
        let shown = latency.shown.sorted(), received = latency.received.sorted()
        return [
            Figure(name: "join -> first remote frame, median (\(frames.count) joins)", value: percentile(frames, 0.5), unit: "ms", target: nil, higherIsBetter: false),
            Figure(name: "join -> first remote frame, max", value: frames.last ?? .nan, unit: "ms", target: nil, higherIsBetter: false),
            Figure(name: "agent ts -> dashboard drawn, median (\(shown.count) events)", value: percentile(shown, 0.5), unit: "ms", target: nil, higherIsBetter: false),
            Figure(name: "agent ts -> dashboard drawn, p99", value: percentile(shown, 0.99), unit: "ms", target: nil, higherIsBetter: false),
            Figure(name: "agent ts -> dashboard page's data channel, median", value: percentile(received, 0.5), unit: "ms", target: nil, higherIsBetter: false),
            Figure(name: "agent ts -> dashboard page's data channel, p99", value: percentile(received, 0.99), unit: "ms", target: nil, higherIsBetter: false),
            // The issue: the events reach the dashboard with no seq gap (the agent's own thinning, announced, is not one).
            Figure(name: "seqs missing beyond those the agent thinned", value: Double(latency.unexplained), unit: "events", target: 0, higherIsBetter: false),
        ]
    }

    /// One trial: a fresh room; the interviewee (without the agent) joins and
    /// waits in the call; the interviewer opens its link, and from its click
    /// on "continue" (its join) to the candidate's video's first frame
    /// (`loadeddata` on `#remote-video`), both on the interviewer page's clock.
    private func joinToFirstFrame(
        trial: Int, server: CallServerProcess, browsers: (candidate: Chromium, interviewer: Chromium), scratch: String
    ) async throws -> Double {
        let room = try await server.createRoom(title: "bench join \(trial)")
        guard let candidateLink = room["links"]?["interviewee"]?.stringValue, let interviewerLink = room["links"]?["interviewer"]?.stringValue else {
            throw BenchFailure("the room has no links: \(room)")
        }
        let candidate = try await CallPage.open(candidateLink, in: browsers.candidate, name: "interviewee", scratch: scratch)
        try await intervieweeJoins(candidate) { candidate in
            try await need(candidate.waitUntil("document.querySelector('#agent-root [data-action=without]')"), "the page offers to go on without the agent", candidate)
            try await candidate.click("#agent-root [data-action=without]")
        }

        let interviewer = try await CallPage.open(interviewerLink, in: browsers.interviewer, name: "interviewer", scratch: scratch)
        try await need(interviewer.waitForStep("devices"), "the interviewer's page reaches its devices", interviewer)
        // Capturing listeners: they see the click and the media event before the page's own handlers.
        _ = try await interviewer.session.evaluate("""
            (() => {
              const join = window.__join = { clicked: null, frame: null };
              document.addEventListener("click", (e) => {
                if (join.clicked === null && e.target.closest?.("#devices-continue")) join.clicked = performance.now();
              }, true);
              document.addEventListener("loadeddata", (e) => {
                if (join.frame === null && e.target.id === "remote-video") join.frame = performance.now();
              }, true);
              return true;
            })()
            """)
        try await interviewer.clickWhenEnabled("#devices-continue")
        let elapsed = try await interviewer.poll("window.__join.clicked !== null && window.__join.frame !== null ? window.__join.frame - window.__join.clicked : -1", timeout: 60) {
            ($0.doubleValue ?? -1) >= 0
        }
        guard let milliseconds = elapsed.doubleValue, milliseconds >= 0 else {
            throw BenchFailure("join \(trial): no frame of the candidate on the interviewer's page; the server: \(server.log.suffix(2000))")
        }
        // A real picture: its frames decode and its clock moves on.
        try await need(interviewer.waitForPlayingVideo("remote-video") > 0, "the candidate's video plays on the interviewer's page", interviewer)
        try await close(interviewer, in: browsers.interviewer)
        try await close(candidate, in: browsers.candidate)
        return milliseconds
    }

    /// The interviewee's page pairs with a real agent and joins; the
    /// interviewer's page, watched by `DashboardProbe`, joins; once events
    /// flow, `events` of them are timed from the agent's `ts` (wall clock) to
    /// the dashboard drawing them and to the page's channel (the same clock).
    private func agentToDashboard(
        server: CallServerProcess, browsers: (candidate: Chromium, interviewer: Chromium), scratch: String
    ) async throws -> (shown: [Double], received: [Double], unexplained: Int) {
        let clip = try GazeFixtures.file(GazeFixtures.singleFace)
        let api = try await APIHarness(allowedOrigins: [server.origin]) {
            $0.add(id: "heartbeat", library: "heartbeat", config: ["interval_ms": 250])
            $0.add(id: "gaze", library: "gaze", config: ["source": .string("file:" + clip), "sample_rate_hz": 10])
        }
        let room = try await server.createRoom(title: "bench agent")
        guard let code = room["codes"]?["interviewee"]?.stringValue, let interviewerLink = room["links"]?["interviewer"]?.stringValue else {
            throw BenchFailure("the room has no code or link: \(room)")
        }
        let candidate = try await CallPage.open("\(server.origin)/?agent=ws://127.0.0.1:\(api.port)/#code=\(code)", in: browsers.candidate, name: "interviewee", scratch: scratch)
        try await intervieweeJoins(candidate) { candidate in
            try await candidate.pairWithAgent(code: api.pairingCode)
            // The gaze plugin runs, so calibration is offered: skipped, as it is not what is measured.
            try await need(candidate.waitUntil("document.querySelector('#agent-root [data-action=skip]')", timeout: 60), "the page pairs and offers calibration", candidate)
            try await candidate.click("#agent-root [data-action=skip]")
        }

        let interviewer = try await CallPage.open(interviewerLink, in: browsers.interviewer, name: "dashboard", scratch: scratch)
        try await need(interviewer.waitForStep("devices"), "the interviewer's page reaches its devices", interviewer)
        let probe = DashboardProbe(page: interviewer)
        try await probe.install()
        try await interviewer.clickWhenEnabled("#devices-continue")
        try await need(interviewer.waitForPlayingVideo("remote-video") > 0, "the interviewer sees the candidate", interviewer)
        // Timed from once events flow: the first ones waited for the channel to open.
        try await need(interviewer.waitUntil("window.__probe.events.length > 0", timeout: 60), "agent events reach the dashboard's page", interviewer)
        let from = try await probe.now()
        // Heartbeats alone come 4 a second; gaze samples add to them.
        let enough = try await interviewer.waitUntil(
            "window.__probe.events.filter((e) => e.ts >= \(from) && e.shown !== null).length >= \(events)", timeout: Double(events) / 4 * 3 + 60)
        let (received, thinned) = try await probe.received()
        try await need(enough, "\(events) events drawn after the start of the measurement; \(received.count) received in all")
        await api.stop()
        try await close(interviewer, in: browsers.interviewer)
        try await close(candidate, in: browsers.candidate)

        let missing = zip(received, received.dropFirst()).reduce(0) { $0 + max(0, $1.1.seq - $1.0.seq - 1) }
        let measured = received.filter { $0.ts >= from }
        return (measured.compactMap { event in event.shown.map { $0 - event.ts } }, measured.map { $0.received - $0.ts }, max(0, missing - thinned))
    }

    /// The interviewee's way into the call: its devices, the agent's step as
    /// `agentStep` takes it, then the join.
    private func intervieweeJoins(_ candidate: CallPage, agentStep: (CallPage) async throws -> Void) async throws {
        try await need(candidate.waitForStep("devices"), "the interviewee's page reaches its devices", candidate)
        try await candidate.clickWhenEnabled("#devices-continue")
        try await agentStep(candidate)
        try await need(candidate.waitForStep("join"), "the interviewee's page reaches its join step", candidate)
        try await candidate.click("#join")
        try await need(candidate.waitForStep("call"), "the interviewee is in the call", candidate)
    }

    /// Closes the page's tab, ending its peer connection, so the next trial starts alone.
    private func close(_ page: CallPage, in browser: Chromium) async throws {
        guard let target = page.session.targetID else { return }
        try await browser.browser().call("Target.closeTarget", ["targetId": .string(target)])
    }

    /// Fails the benchmark, saying what was not seen and where the page was.
    private func need(_ condition: Bool, _ what: String, _ page: CallPage? = nil) async throws {
        guard !condition else { return }
        let state = try await page?.session.evaluate("JSON.stringify(document.body.dataset)").stringValue ?? ""
        throw BenchFailure("call-browser: not seen: \(what)" + (page.map { " (\($0.name)'s page: \(state))" } ?? ""))
    }
}
