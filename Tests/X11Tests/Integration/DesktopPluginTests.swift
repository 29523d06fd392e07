import Foundation
import ProctorHost
import ProctorJSON
import ProctorTestSupport
import Testing
import X11Support

@testable import Desktop

extension X11IntegrationTests {
    /// The desktop plugin as a child of a real agent, against Xvfb, openbox,
    /// xclip, xmessage and a real Chromium window showing the call page.
    @Suite struct DesktopPluginTests {
        @Test func clipboardAndPrimaryFromAnotherApplication() async throws {
            let scenario = try await PluginScenario.start([("desktop", "desktop", [:])])
            for selection in ["clipboard", "primary"] {
                let before = scenario.lastSeq
                let xclip = try scenario.desktop.copy("hello world", to: selection)
                let copied = try #require(await scenario.waitFor("desktop.clipboard", after: before) { $0["change"] == "owner_changed" })
                #expect(copied.data["selection"]?.stringValue == selection)
                #expect(copied.data["call_page"] == false)
                // xclip's window names nothing; the X server knows its process from its socket.
                #expect(copied.data["app"]?["class"] == .null && copied.data["app"]?["instance"] == .null)
                #expect(copied.data["app"]?["pid"] == .number(Double(xclip.pid)) && copied.data["app"]?["process"] == "xclip",
                        "xclip is process \(xclip.pid): \(copied.data["app"] ?? .null)")
                #expect(copied.data["targets"]?.arrayValue?.contains("UTF8_STRING") == true)
                #expect(copied.data["size_bytes"] == 11 && copied.data["size_type"] == "UTF8_STRING")
                #expect(copied.data["complete"] == true)
                #expect(copied.data["content"] == nil && copied.data["content_sha256"] == nil, "content is never read by default")
                // The owner goes away: the selection is empty.
                xclip.stop()
                let cleared = try #require(await scenario.waitFor("desktop.clipboard", after: copied.event.seq) { $0["change"] == "cleared" })
                #expect(cleared.data["selection"]?.stringValue == selection)
            }
            #expect(try scenario.schemaProblems() == [])
            await scenario.stop()
        }

        @Test func aServerWithoutXResourceIsReported() throws {
            let directory = TemporaryDirectory("proctord-x11")
            let server = try XvfbServer(disabling: ["X-Resource"], directory: directory)
            defer { server.stop() }
            let connection = try X11Connection.open(server.display)
            defer { connection.close() }
            #expect(!connection.hasXRes && connection.clientProcessID(connection.root) == nil)
            let watcher = DesktopWatcher(settings: DesktopSettings(config: [:]), matcher: CallPageMatcher(marker: "m"), status: DesktopStatus()) { _ in }
            watcher.attach(connection, now: 0)
            defer { watcher.detach(now: 0, lost: false) }
            #expect(watcher.problems.contains(
                "X-Resource 1.2 is missing on \(server.display): applications whose windows do not name their process (eg xclip) are reported without one"),
                "\(watcher.problems)")
        }

        @Test func copyingFromTheCallPageIsAttributedToIt() async throws {
            let scenario = try await PluginScenario.start([("desktop", "desktop", [:])])
            let page = try await scenario.desktop.openCallPage(marker: try await scenario.marker(from: "desktop"))
            let before = scenario.lastSeq
            // Select the page's text; a page still loading may miss the first try.
            var selected: (event: Event, data: JSONValue)?
            for _ in 1...3 where selected == nil {
                try scenario.tools.click(page.window)
                try scenario.tools.key("ctrl+a")
                selected = await scenario.waitFor("desktop.clipboard", after: before, timeout: .seconds(4)) {
                    $0["selection"] == "primary" && $0["change"] == "owner_changed"
                }
            }
            let primary = try #require(selected)
            #expect(primary.data["call_page"] == true)
            #expect(primary.data["app"]?["class"] == "Chromium" && primary.data["app"]?["process"] == "chromium")
            try scenario.tools.key("ctrl+c")
            let clipboard = try #require(await scenario.waitFor("desktop.clipboard", after: before) { $0["selection"] == "clipboard" })
            #expect(clipboard.data["call_page"] == true)
            #expect(clipboard.data["owner"]?.stringValue != page.window, "Chromium owns selections with a hidden window of its own")
            #expect(clipboard.data["targets"]?.arrayValue?.contains("text/html") == true)
            let size = clipboard.data["size_bytes"]?.intValue ?? 0
            #expect(size >= "The call page of a test interview.".utf8.count && size < 200, "the page's text: \(size) bytes")
            #expect(try scenario.schemaProblems() == [])
            await scenario.stop()
        }

        @Test func contentIsReadOnlyAsFarAsTheConfigSays() async throws {
            let scenario = try await PluginScenario.start([
                ("desktop", "desktop", ["selections": ["clipboard"]]),
                ("desktop_hash", "desktop", ["selections": ["clipboard"], "clipboard_content": "sha256", "clipboard_content_max_bytes": 7]),
                ("desktop_text", "desktop", ["selections": ["clipboard"], "clipboard_content": "text", "clipboard_content_max_bytes": 7]),
            ])
            let before = scenario.lastSeq
            _ = try scenario.desktop.copy("correct horse battery staple", to: "clipboard")
            var seen: [String: JSONValue] = [:]
            for id in ["desktop", "desktop_hash", "desktop_text"] {
                let event = try #require(await scenario.log.waitFor { $0.seq > before && $0.plugin == id && $0.topic == "desktop.clipboard" })
                seen[id] = try JSONParser.parse(event.data)
            }
            #expect(seen.values.allSatisfy { $0["size_bytes"] == 28 }, "every instance measures the size")
            #expect(seen["desktop"]?["content"] == nil && seen["desktop"]?["content_sha256"] == nil)
            #expect(seen["desktop_hash"]?["content_sha256"] == .string(SHA256.hex(Array("correct".utf8))))
            #expect(seen["desktop_hash"]?["content"] == nil && seen["desktop_hash"]?["content_truncated"] == true)
            #expect(seen["desktop_text"]?["content"] == "correct" && seen["desktop_text"]?["content_truncated"] == true)
            #expect(try scenario.schemaProblems() == [])
            await scenario.stop()
        }

        @Test func largeSelectionsAreMeasuredThroughIncrementalTransfers() async throws {
            // The owner may pause between chunks on a busy machine: this test is about
            // measuring the transfer, so it gives the owner the longest the setting allows.
            let scenario = try await PluginScenario.start([("desktop", "desktop", ["selections": ["clipboard"], "clipboard_owner_timeout_ms": 10_000])])
            let text = String(repeating: "0123456789abcdef", count: 200_000)  // 3.2 MB: xclip sends it in INCR chunks
            let before = scenario.lastSeq
            _ = try scenario.desktop.copy(text, to: "clipboard")
            let copied = try #require(await scenario.waitFor("desktop.clipboard", after: before, timeout: .seconds(20)))
            #expect(copied.data["size_bytes"] == .number(Double(text.utf8.count)))
            #expect(copied.data["complete"] == true)
            await scenario.stop()
        }

        @Test func focusLeavingTheCallPageIsTimedUntilItReturns() async throws {
            let scenario = try await PluginScenario.start([("desktop", "desktop", ["titles": "full"])])
            let page = try await scenario.desktop.openCallPage(marker: try await scenario.marker(from: "desktop"))
            let (_, notes) = try await scenario.desktop.openOtherWindow("notes", geometry: "300x200+50+50")
            let tools = scenario.tools
            for away in [Duration.milliseconds(300), .milliseconds(1200)] {
                // Focus is on the call page (X says so, and the plugin has said so) before the
                // measured round, so nothing from earlier moves can count in it.
                try tools.activate(page.window)
                #expect(await eventually { tools.activeWindow() == page.window })
                #expect(await eventually { scenario.events("desktop.focus").last?["window"]?.stringValue == page.window })
                let before = scenario.lastSeq
                try tools.activate(notes)
                let focused = try #require(await scenario.waitFor("desktop.focus", after: before) { $0["window"]?.stringValue == notes })
                #expect(focused.data["app"]?["class"] == "Xmessage" && focused.data["title"] == "xmessage")
                #expect(focused.data["call_page"] == false)
                #expect(focused.data["left_call_page"] == true, "the move to notes is the one that leaves the call page")
                try await Task.sleep(for: away)
                try tools.activate(page.window)
                let back = try #require(await scenario.waitFor("desktop.focus", after: focused.event.seq) { $0["call_page"] == true })
                // openbox passes focus through "no window" both ways; the plugin says where it went, once each.
                let moves = scenario.log.all.filter { $0.topic == "desktop.focus" && $0.seq > before && $0.seq <= back.event.seq }
                #expect(moves.map(\.seq) == [focused.event.seq, back.event.seq], "one event per move: \(moves.map(\.data))")
                let measured = try #require(back.data["away_ms"]?.intValue)
                let awayMs = Int(away.components.seconds * 1000 + away.components.attoseconds / 1_000_000_000_000_000)
                #expect(measured >= awayMs, "focus was away at least as long as the test waited: \(measured) ms")
                let between = PluginScenario.milliseconds(from: focused.event, to: back.event)
                #expect(abs(Int64(measured) - between) < 200, "away_ms \(measured) against \(between) ms between the two events")
                #expect(back.data["title"]?.stringValue?.contains("proctord-") == true)
            }
            #expect(try scenario.schemaProblems() == [])
            await scenario.stop()
        }

        @Test func focusStayingOnNoWindowIsReported() async throws {
            let scenario = try await PluginScenario.start([("desktop", "desktop", [:])])
            let page = try await scenario.desktop.openCallPage(marker: try await scenario.marker(from: "desktop"))
            let tools = scenario.tools
            try tools.activate(page.window)
            #expect(await eventually { scenario.events("desktop.focus").last?["window"]?.stringValue == page.window })
            let before = scenario.lastSeq
            // Minimising the only window leaves openbox nothing to focus. (Closing it would
            // not do: openbox leaves _NET_ACTIVE_WINDOW naming the closed window.)
            try tools.minimise(page.window)
            let none = try #require(await scenario.waitFor("desktop.focus", after: before) { $0["window"] == .null })
            #expect(none.data["app"] == .null && none.data["left_call_page"] == true)
            #expect(tools.activeWindow() == nil)
            #expect(try scenario.schemaProblems() == [])
            await scenario.stop()
        }

        @Test func windowsOpeningAndClosingAreReportedWithHashedTitles() async throws {
            let scenario = try await PluginScenario.start([("desktop", "desktop", [:])])
            let before = scenario.lastSeq
            let (notes, window) = try await scenario.desktop.openOtherWindow("notes", geometry: "300x200+50+50")
            let opened = try #require(await scenario.waitFor("desktop.window", after: before) { $0["change"] == "opened" })
            #expect(opened.data["window"]?.stringValue == window)
            #expect(opened.data["app"]?["class"] == "Xmessage" && opened.data["call_page"] == false)
            #expect(opened.data["title"] == nil && opened.data["title_sha256"] == .string(SHA256.hex(Array("xmessage".utf8))))
            notes.stop()
            let closed = try #require(await scenario.waitFor("desktop.window", after: opened.event.seq) { $0["change"] == "closed" })
            #expect(closed.data["window"]?.stringValue == window)
            #expect(closed.data["app"]?["class"] == "Xmessage", "what was known of it is still said when it is gone")
            #expect(try scenario.schemaProblems() == [])
            await scenario.stop()
        }
    }
}
