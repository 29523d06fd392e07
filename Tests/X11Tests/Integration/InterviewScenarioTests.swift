import Foundation
import ProctorHost
import ProctorJSON
import ProctorTestSupport
import Testing

extension X11IntegrationTests {
    /// Whole interviews on a real desktop: Xvfb and openbox, the call page in
    /// Chromium paired through web/proctor-client.js, the agent's screen and
    /// desktop plugins watching that display, and the integrity rules' alerts
    /// as a paired page receives them. What is expected is derived from the
    /// plugins' own events the page received, never from the rules' output.
    @Suite struct InterviewScenarioTests {
        static let browserArguments = ["--test-type", "--window-size=1000,700"]
        static let watched = ["alert", "interview.*", "screen.fullscreen", "desktop.focus", "desktop.clipboard", "gaze.sample"]

        /// Leave full screen, focus another window, copy from another application
        /// (xclip), return and paste: the alerts come in the order it happened.
        @Test func leavingFocusingAwayCopyingAndPastingRaiseTheirAlertsInOrder() async throws {
            // The agent only reports here: the test puts the window in and out of full screen itself.
            let callPage = try await ClientPageDesktop.open(screen: ["enforce": "never"], chromium: Self.browserArguments) { builder, display in
                builder.add(id: "desktop", library: "desktop", config: ["display": .string(display), "reconnect_max_ms": 500])
            }
            defer { callPage.desktop.stop() }
            let (api, page, desktop) = (callPage.api, callPage.page, callPage.desktop)
            let window = try await callPageWindow(api)
            try desktop.tools.setFullscreen(window, true)
            _ = try await screenStatus(api) { $0["full_screen"] == true }
            try desktop.tools.activate(window)
            #expect(await eventually(timeout: .seconds(20)) { lastFocus(api)?["call_page"] == true }, "the call page has the focus: \(lastFocus(api) ?? .null)")
            // Somewhere for the paste to land, and what it received.
            _ = try await page.evaluate("""
                (() => { const t = document.createElement('textarea'); t.id = 'answer'; document.body.append(t); t.focus(); return 1; })()
                """)

            let (client, _) = try await api.paired(topics: Self.watched)
            let events = PageEvents(client)
            let rules: JSONValue = ["rules": [["id": "fullscreen_left", "min_s": 1], ["id": "focus_away", "min_s": 1]]]
            let started = try await events.ask("host", "interview.start", ["title": "desktop scenario", "guidelines": rules])
            let id = try #require(started["result"]?["interview"]?.stringValue, "\(started)")
            try await events.waitFor { $0.topic == "interview.started" }

            // 1. Out of full screen, and left there.
            try desktop.tools.setFullscreen(window, false)
            let left = try await events.waitFor { $0.topic == "screen.fullscreen" && $0.data["change"] == "left" }
            try await events.waitFor(timeout: 30) { Self.matches($0, "fullscreen_left", "raised") }
            // 2. Another application's window takes the focus.
            let (_, notes) = try await desktop.openOtherWindow("notes", geometry: "300x200+50+50")
            try desktop.tools.activate(notes)
            let away = try await events.waitFor { $0.topic == "desktop.focus" && $0.data["call_page"] == false }
            try await events.waitFor(timeout: 30) { Self.matches($0, "focus_away", "raised") }
            // 3. Text copied there (xclip owns the clipboard).
            _ = try desktop.copy("the answer is 42", to: "clipboard")
            let copied = try await events.waitFor {
                $0.topic == "desktop.clipboard" && $0.data["selection"] == "clipboard" && $0.data["change"] == "owner_changed"
            }
            #expect(copied.data["call_page"] == false && copied.data["app"]?["process"] == "xclip", "\(copied.data)")
            // 4. Back to the call page, and paste.
            try desktop.tools.activate(window)
            let back = try await events.waitFor(after: away.seq) { $0.topic == "desktop.focus" && $0.data["call_page"] == true }
            try await events.waitFor(timeout: 30) { Self.matches($0, "clipboard_paste", "resolved") }
            try await events.waitFor(timeout: 30) { Self.matches($0, "focus_away", "resolved") }
            _ = try await page.evaluate("document.getElementById('answer').focus(), 1")
            try desktop.tools.key("ctrl+v")
            let pasted = try await page.waitFor("document.getElementById('answer').value") { $0 == "the answer is 42" }
            #expect(pasted == "the answer is 42", "the page received the paste")
            // 5. Full screen again.
            try desktop.tools.setFullscreen(window, true)
            let entered = try await events.waitFor(after: left.seq) { $0.topic == "screen.fullscreen" && $0.data["full_screen"] == true }
            try await events.waitFor(timeout: 30) { Self.matches($0, "fullscreen_left", "resolved") }

            // The alerts in the order they happened (updates aside); the return's three at one moment.
            let alerts = events.events.filter { $0.topic == "alert" && $0.data["state"] != "updated" }
            let steps = alerts.map { "\($0.data["rule"]?.stringValue ?? "-") \($0.data["state"]?.stringValue ?? "-")" }
            #expect(steps.count == 6, "\(steps)")
            #expect(Array(steps.prefix(2)) == ["fullscreen_left raised", "focus_away raised"], "\(steps)")
            #expect(Set(steps.dropFirst(2).prefix(3)) == ["focus_away resolved", "clipboard_paste raised", "clipboard_paste resolved"], "\(steps)")
            #expect(steps.firstIndex(of: "clipboard_paste raised") ?? 9 < steps.firstIndex(of: "clipboard_paste resolved") ?? 0)
            #expect(steps.last == "fullscreen_left resolved", "\(steps)")
            #expect(alerts.allSatisfy { $0.data["interview"] == .string(id) })

            // Each with the events that show it, as the page saw them.
            func evidence(_ rule: String) -> [Int] {
                (alerts.last { $0.data["rule"] == .string(rule) }?.data["evidence"]?.arrayValue ?? []).compactMap(\.intValue)
            }
            #expect(evidence("clipboard_paste") == [Int(copied.seq), Int(back.seq)])
            #expect(evidence("focus_away").first == Int(away.seq) && evidence("focus_away").last == Int(back.seq), "\(evidence("focus_away"))")
            #expect(evidence("fullscreen_left").first == Int(left.seq) && evidence("fullscreen_left").last == Int(entered.seq),
                    "\(evidence("fullscreen_left"))")
            #expect(alerts.first { $0.data["rule"] == "clipboard_paste" }?.data["severity"] == "high")
            let schemas = try TopicSchemas.load()
            #expect(events.events.flatMap { schemas.problems(with: $0.event) } == [], "every event the page received is as docs/topics.json says")
            await callPage.stop()
        }

        /// An honest candidate: the call page full screen and focused all along,
        /// single_face.mp4 as the camera, no clipboard. Nothing of medium or
        /// higher severity, live or in the report.
        @Test func anHonestInterviewRaisesNothingOfConsequence() async throws {
            let clip = try GazeFixtures.file(GazeFixtures.singleFace)
            let callPage = try await ClientPageDesktop.open(chromium: Self.browserArguments) { builder, display in
                builder.add(id: "desktop", library: "desktop", config: ["display": .string(display), "reconnect_max_ms": 500])
                builder.add(id: "gaze", library: "gaze", config: ["source": .string("file:" + clip), "sample_rate_hz": 10])
            }
            defer { callPage.desktop.stop() }
            let (api, desktop) = (callPage.api, callPage.desktop)
            // The agent puts the call page in full screen; the person leaves it there, focused.
            let window = try #require(try await screenStatus(api) { $0["full_screen"] == true }["window"]?.stringValue)
            try desktop.tools.activate(window)
            // The desktop plugin says so (the rules read its events, not X).
            let focused = await eventually(timeout: .seconds(20)) { lastFocus(api)?["call_page"] == true }
            #expect(focused, "the call page has the focus: \(lastFocus(api) ?? .null)")

            let (client, _) = try await api.paired(topics: Self.watched)
            let events = PageEvents(client)
            try await events.waitFor(timeout: 60) { $0.topic == "gaze.sample" && $0.data["faces"] == 1 }
            let started = try await events.ask("host", "interview.start", ["title": "honest"])
            let id = try #require(started["result"]?["interview"]?.stringValue, "\(started)")
            let opened = try await events.waitFor { $0.topic == "interview.started" }
            // Half a minute of the camera's frames: long enough for every default rule's threshold (5-6 s) several times over.
            try await events.waitFor(timeout: 180) { $0.topic == "gaze.sample" && $0.ms - opened.ms >= 30_000 }
            _ = try await events.ask("host", "interview.end")
            try await events.waitFor { $0.topic == "interview.ended" }

            // It was honest: in full screen and focused all along, a face in view.
            let during = events.events.filter { $0.seq > opened.seq }
            #expect(!during.contains { $0.topic == "screen.fullscreen" && $0.data["full_screen"] == false }, "full screen all along")
            #expect(!during.contains { $0.topic == "desktop.focus" && $0.data["call_page"] == false }, "focused all along")
            #expect(!during.contains { $0.topic == "desktop.clipboard" }, "no clipboard")
            let samples = during.filter { $0.topic == "gaze.sample" }
            let withFace = samples.filter { $0.data["faces"] == 1 }.count
            #expect(samples.count >= 150 && Double(withFace) >= 0.9 * Double(samples.count), "\(withFace) of \(samples.count) frames show the face")

            let serious = events.data("alert").filter { $0["severity"] == "medium" || $0["severity"] == "high" }
            #expect(serious.isEmpty, "no alert of medium or higher severity: \(serious.map { $0["message"] ?? .null })")
            let report = try await events.ask("host", "interview.report", ["format": "json", "interview": .string(id)])
            let items = try #require(report["result"]?["report"]?["alerts"]?["items"]?.arrayValue, "\(report)")
            #expect(items.allSatisfy { $0["severity"] == "low" }, "the report lists nothing of medium or higher severity: \(items)")
            let deductions = report["result"]?["report"]?["integrity"]?["summary"]?["deductions"]?.arrayValue ?? []
            #expect(deductions.allSatisfy { $0["severity"] == "low" }, "\(deductions)")
            await callPage.stop()
        }

        // MARK: - Steps

        static func matches(_ event: PageEvents.Received, _ rule: String, _ state: String) -> Bool {
            event.topic == "alert" && event.data["rule"] == .string(rule) && event.data["state"] == .string(state)
        }

        /// The newest `desktop.focus` the agent published.
        private func lastFocus(_ api: APIHarness) -> JSONValue? {
            let events: [Event]
            switch api.agent.bus.replay(after: 0, matching: { $0 == "desktop.focus" }) {
            case .events(let all), .tooOld(_, _, let all): events = all
            }
            return events.last { $0.topic == "desktop.focus" }.flatMap { try? JSONParser.parse($0.data) }
        }

        /// The screen plugin's status once `holds` is true of it.
        private func screenStatus(_ api: APIHarness, _ holds: @escaping (JSONValue) -> Bool) async throws -> JSONValue {
            var last: JSONValue = .null
            let held = await eventually(timeout: .seconds(30), every: .milliseconds(100)) {
                last = (try? await api.request("screen", "status"))?["result"] ?? .null
                return holds(last)
            }
            guard held else { throw HarnessError("the screen plugin's status never held: \(last)") }
            return last
        }

        /// The call page's window, once the screen plugin found it by its marker.
        private func callPageWindow(_ api: APIHarness) async throws -> String {
            let status = try await screenStatus(api) { $0["window"]?.stringValue != nil }
            return try #require(status["window"]?.stringValue)
        }
    }
}
