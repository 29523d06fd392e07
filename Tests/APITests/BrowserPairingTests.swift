import Foundation
import ProctorJSON
import ProctorTestSupport
import Testing

/// A real headless Chromium loads a call page from another origin that pairs
/// through web/proctor-client.js, with the proof computed by the browser's
/// own WebCrypto, and receives live events.
@Suite(.serialized) struct BrowserPairingTests {
    @Test func aPageFromAnAllowedOriginPairsAndReceivesEvents() async throws {
        let site = StaticWebServer()
        try await site.start()
        let origin = "http://127.0.0.1:\(site.port)"
        let api = try await APIHarness(allowedOrigins: [origin]) { $0.add(id: "heartbeat", library: "heartbeat", config: ["interval_ms": 50]) }
        let browser = try await Chromium.launch()
        let page = try await browser.open("\(origin)/test/pairing-test.html?agent=ws://127.0.0.1:\(api.port)/v1&code=\(api.pairingCode)&topics=heartbeat.tick")
        let title = try await page.waitFor("document.title") { ["identified"].contains($0.stringValue) || $0.stringValue?.hasPrefix("error") == true }
        let diagnosis = (try? await page.evaluate("JSON.stringify(window.testState)")) ?? nil
        #expect(title == "identified", "\(diagnosis)")
        _ = try await page.waitFor("window.testState.seqs.length") { ($0.intValue ?? 0) >= 5 }
        let state = try await JSONParser.parse(page.evaluate("JSON.stringify(window.testState)").stringValue ?? "{}")
        #expect(state["session"]?.stringValue?.hasPrefix("s_") == true)
        #expect(state["ping"]?["pong"] == true)
        let events = state["events"]?.arrayValue ?? []
        #expect(events.count >= 5 && events.allSatisfy { $0["topic"] == "heartbeat.tick" && $0["plugin"] == "heartbeat" })
        let seqs = state["seqs"]?.arrayValue?.compactMap(\.intValue) ?? []
        #expect(seqs == seqs.sorted())
        // The agent saw the page as paired, from its own origin.
        #expect(api.server.services.clients.all.contains { $0.origin == origin && $0.session != nil && $0.clientName == "pairing test" })
        await api.stop()
        await site.stop()
    }

    @Test func theSamePageFromAnotherOriginIsRefused() async throws {
        let site = StaticWebServer()
        try await site.start()
        // Allowed: 127.0.0.1; the page is loaded as localhost, a different origin.
        let api = try await APIHarness(allowedOrigins: ["http://127.0.0.1:\(site.port)"]) { $0.add(id: "heartbeat", library: "heartbeat") }
        let browser = try await Chromium.launch()
        let page = try await browser.open("http://localhost:\(site.port)/test/pairing-test.html?agent=ws://127.0.0.1:\(api.port)/v1&code=\(api.pairingCode)")
        let title = try await page.waitFor("document.title") { $0.stringValue?.hasPrefix("error") == true || $0 == "identified" }
        #expect(title.stringValue?.hasPrefix("error:") == true, "\(title)")
        #expect(api.server.services.clients.all.isEmpty, "no connection was accepted")
        await api.stop()
        await site.stop()
    }

    /// The first contact with a platform: its page is refused, the person at
    /// the computer allows the site on the agent's own page (a real mouse
    /// click in the real browser), and the page then pairs with the code.
    /// A site the person ignores stays refused and stops being listed.
    @Test func aRefusedSitePairsOnceThePersonAllowsItOnTheAgentsPage() async throws {
        let site = StaticWebServer()
        try await site.start()
        let origin = "http://127.0.0.1:\(site.port)"
        let other = "http://localhost:\(site.port)"
        let api = try await APIHarness { $0.add(id: "heartbeat", library: "heartbeat", config: ["interval_ms": 50]) }
        let browser = try await Chromium.launch()
        func callPage(from origin: String) async throws -> JSONValue {
            let page = try await browser.open("\(origin)/test/pairing-test.html?agent=ws://127.0.0.1:\(api.port)/v1&code=\(api.pairingCode)&topics=heartbeat.tick")
            return try await page.waitFor("document.title") { $0 == "identified" || $0.stringValue?.hasPrefix("error") == true }
        }
        #expect(try await callPage(from: origin).stringValue?.hasPrefix("error") == true, "not allowed yet")
        #expect(try await callPage(from: other).stringValue?.hasPrefix("error") == true)

        let agentPage = try await browser.open("\(api.ownOrigin)/")
        let allow = "button[aria-label=\"Allow \(origin)\"]", ignore = "button[aria-label=\"Ignore \(other)\"]"
        let listed = try await agentPage.waitFor("[\(JSONWriter.quoted(allow)), \(JSONWriter.quoted(ignore))].every((s) => document.querySelector(s))") { $0 == true }
        #expect(listed == true, "both refused sites are listed on the agent's page")
        try await agentPage.click(allow)
        let outcome = try await agentPage.waitFor("document.getElementById('origins-result').textContent") { $0.stringValue?.contains("may now ask") == true }
        #expect(outcome.stringValue?.contains("\(origin) may now ask") == true, "\(outcome)")
        try await agentPage.click(ignore)
        let ignored = try await agentPage.waitFor("document.getElementById('origins-result').textContent") { $0.stringValue?.contains("stays refused") == true }
        #expect(ignored.stringValue?.contains("\(other) stays refused") == true, "\(ignored)")
        let stillListed = try await agentPage.waitFor("document.querySelector(\(JSONWriter.quoted(ignore))) === null") { $0 == true }
        #expect(stillListed == true, "an ignored site is no longer listed")

        #expect(try await callPage(from: origin) == "identified", "allowed: the page pairs with the code")
        #expect(try await callPage(from: other).stringValue?.hasPrefix("error") == true, "ignored: still refused")
        let consent = try #require(api.server.services.checks.consent)
        #expect(!consent.asking.contains { $0.origin == other }, "and not asking again")
        let file = api.directory.path + "/config/origins.json"
        let saved = try JSONParser.parse(Array(FileManager.default.contents(atPath: file) ?? Data()))
        #expect(saved["allowed"] == [.string(origin)] && saved["ignored"] == [.string(other)])
        await api.stop()
        await site.stop()
    }
}
