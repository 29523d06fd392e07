import Foundation
import ProctorJSON
import ProctorTestSupport
import Testing

extension X11IntegrationTests {
    /// The call page's JavaScript client marks its own window: a real
    /// Chromium window on Xvfb loads a page that pairs through
    /// web/proctor-client.js, which puts the screen plugin's marker into the
    /// title, and the plugin then finds that window and keeps it full screen.
    @Suite struct ClientMarkerTests {
        @Test func theClientPutsTheMarkerInTheTitleAndThePluginFindsTheWindow() async throws {
            let desktop = try await X11TestDesktop()
            defer { desktop.stop() }
            let site = StaticWebServer()
            try await site.start()
            let origin = "http://127.0.0.1:\(site.port)"
            let api = try await APIHarness(allowedOrigins: [origin]) {
                $0.add(id: "screen", library: "screen", config: ["display": .string(desktop.display)])
            }
            let browser = try await Chromium.launch(display: desktop.display)
            let page = try await browser.open("\(origin)/test/pairing-test.html?agent=ws://127.0.0.1:\(api.port)/v1&code=\(api.pairingCode)&topics=plugin.state")
            let marker = try #require(try await api.screenMarker())
            let title = try await page.waitFor("document.title") { $0.stringValue?.contains(marker) == true }
            #expect(title.stringValue?.contains(marker) == true, "the client put the marker in the title: \(title)")
            // The page then sets its own title; the client puts the marker back.
            _ = try await page.evaluate("document.title = 'Interview with Acme'; 1")
            let kept = try await page.waitFor("document.title") { $0.stringValue?.contains(marker) == true }
            #expect(kept.stringValue?.hasPrefix("Interview with Acme") == true && kept.stringValue?.contains(marker) == true)
            let found = await eventually(timeout: .seconds(20)) {
                let status = try? await api.request("screen", "status")
                return status?["result"]?["window"] != nil && status?["result"]?["window"] != .null
            }
            #expect(found, "the screen plugin found the call page's window by the marker the client set")
            await api.stop()
            await site.stop()
        }
    }
}

extension APIHarness {
    /// Asks a plugin directly, as the host would.
    func request(_ plugin: String, _ method: String) async throws -> JSONValue {
        let supervisor = try #require(await agent.supervisor(plugin))
        return try JSONParser.parse(await supervisor.request(JSONWriter.compact(["method": .string(method)])))
    }

    func screenMarker() async throws -> String? {
        try await request("screen", "window_marker")["result"]?["marker"]?.stringValue
    }
}
