import Foundation
import ProctorJSON
import ProctorTestSupport
import Testing

/// The agent's own page, as the interviewee sees it in a real browser, and
/// the HTTP endpoints behind it.
@Suite(.serialized) struct AgentPageTests {
    static let page = "https://meet.example.com"

    @Test func thePageShowsTheCodeAndExactlyWhatIsShared() async throws {
        let api = try await APIHarness(allowedOrigins: [Self.page]) {
            $0.add(id: "heartbeat", library: "heartbeat", config: ["interval_ms": 200])
            $0.add(id: "sysinfo", library: "sysinfo")
        }
        let browser = try await Chromium.launch()
        let page = try await browser.open("http://127.0.0.1:\(api.port)/")
        let code = api.pairingCode
        let shown = try await page.waitFor("document.getElementById('pairing-code').textContent") {
            $0.stringValue?.replacingOccurrences(of: " ", with: "") == code
        }
        #expect(shown.stringValue?.replacingOccurrences(of: " ", with: "") == code)

        let (client, _) = try await api.paired(topics: ["heartbeat.*"], origin: Self.page, clientName: "Acme Interviews")
        let shared = try await page.waitFor("document.getElementById('shared-list').textContent") {
            $0.stringValue?.contains("heartbeat.tick") == true
        }
        let text = shared.stringValue ?? ""
        #expect(text.contains("Acme Interviews") && text.contains("heartbeat.tick"), "\(text)")
        #expect(!text.contains("sysinfo.load"), "a topic the page did not subscribe to is not listed as shared")
        let plugins = try await page.waitFor("document.getElementById('plugins-list').textContent") { $0.stringValue?.contains("sysinfo") == true }
        #expect(plugins.stringValue?.contains("heartbeat") == true)
        // No screen or desktop plugin runs: the page says focus comes from the page alone, the clipboard from nowhere.
        let focus = try await page.waitFor("document.querySelector('#signals-list [data-signal=focus]')?.textContent ?? ''") {
            $0.stringValue?.contains("reported by the page only") == true
        }
        #expect(focus.stringValue?.contains("page.focus") == true, "\(focus)")
        let clipboard = try await page.evaluate("document.querySelector('#signals-list [data-signal=clipboard]')?.textContent ?? ''")
        #expect(clipboard.stringValue?.contains("not observed here") == true, "\(clipboard)")
        _ = client
        await api.stop()
    }

    @Test func theStatusIsLocalAndRevokingNeedsThePagesOwnOrigin() async throws {
        let api = try await APIHarness(allowedOrigins: [Self.page]) { $0.add(id: "heartbeat", library: "heartbeat") }
        let (status, body) = try await HTTPGet.get(port: api.port, path: "/local/status")
        #expect(status == 200)
        let json = try JSONParser.parse(body)
        #expect(json["pairing"]?["code"]?.stringValue == api.pairingCode)
        #expect(json["plugins"]?.arrayValue?.map { $0["id"] } == ["host", "heartbeat"])

        let (client, identified) = try await api.paired(topics: [], origin: Self.page)
        let forged = try await offPool { try HTTPGet.requestNow("POST", port: api.port, path: "/local/sessions/revoke", headers: ["Origin": Self.page]) }
        #expect(forged.status == 403 && forged.body == "only the agent's own page may revoke sessions")
        let missing = try await offPool { try HTTPGet.requestNow("POST", port: api.port, path: "/local/sessions/revoke") }
        #expect(missing.status == 403, "no Origin: not the agent's page")
        #expect(api.server.services.sessions.active.count == 1)

        let session = try #require(identified["session"]?.stringValue)
        let own = try await offPool { try HTTPGet.requestNow("POST", port: api.port, path: "/local/sessions/revoke?session=\(session)", headers: ["Origin": api.ownOrigin]) }
        let revoked = try JSONParser.parse(own.body)["revoked"]
        #expect(own.status == 200 && revoked == [.string(session)])
        #expect(try await client.receiveClose().code == 4009)
        await api.stop()
    }
}
