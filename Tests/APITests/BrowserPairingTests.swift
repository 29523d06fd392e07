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
}
