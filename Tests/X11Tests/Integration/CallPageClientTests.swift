import Foundation
import ProctorJSON
import ProctorTestSupport
import Testing

extension X11IntegrationTests {
    /// What web/proctor-client.js does for the screen plugin, in a real
    /// Chromium window on Xvfb showing a page that pairs through it.
    @Suite struct CallPageClientTests {
        /// The client puts the screen plugin's marker into the title, and the
        /// plugin then finds that window.
        @Test func theClientPutsTheMarkerInTheTitleAndThePluginFindsTheWindow() async throws {
            let callPage = try await ClientPageDesktop.open()
            defer { callPage.desktop.stop() }
            let (api, page) = (callPage.api, callPage.page)
            let marker = try #require(try await api.screenMarker())
            // Wait for the test page's own last title ("identified", after its ping), so
            // it cannot overwrite the title this test sets next.
            let title = try await page.waitFor("document.title") {
                $0.stringValue?.hasPrefix("identified") == true && $0.stringValue?.contains(marker) == true
            }
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
            await callPage.stop()
        }

        /// The page shares the screen with getDisplayMedia (Chromium's picker
        /// chooses the whole screen itself, by flag) and hands the
        /// stream to the client, which tells the screen plugin; stopping the
        /// track in the page, which fires no "ended" event, is reported too.
        @Test func theClientReportsARealScreenShareAndItsEnd() async throws {
            let callPage = try await ClientPageDesktop.open(screen: ["enforce": "never"],
                                                   chromium: ["--auto-select-desktop-capture-source=Entire screen"])
            defer { callPage.desktop.stop() }
            let page = callPage.page
            let log = EventLog(bus: callPage.api.agent.bus, patterns: ["screen.share"])
            _ = try await page.waitFor("document.title") { $0.stringValue?.hasPrefix("identified") == true }

            // getDisplayMedia wants a user gesture; DevTools can lend one.
            let shared = try await page.call("Runtime.evaluate", [
                "expression": """
                    navigator.mediaDevices.getDisplayMedia({ video: true }).then((stream) => {
                      window.sharedStream = stream;
                      window.testClient.reportScreenShare(stream);
                      return stream.getVideoTracks()[0].getSettings().displaySurface;
                    })
                    """,
                "awaitPromise": true, "returnByValue": true, "userGesture": true,
            ])
            let surface = shared["result"]?["value"]?.stringValue
            #expect(surface == "monitor", "Chromium shared the whole screen: \(shared)")
            let started = await log.waitFor { $0.topic == "screen.share" }
            let startedData = try started.map { try JSONParser.parse($0.data) }
            #expect(startedData?["active"] == true && startedData?["display_surface"] == "monitor"
                    && startedData?["full_screen_share"] == true, "the agent heard of the share: \(String(describing: startedData))")

            _ = try await page.evaluate("window.sharedStream.getVideoTracks()[0].stop(); 1")
            let stopped = await log.waitFor(timeout: .seconds(10)) { $0.topic == "screen.share" && $0.seq > (started?.seq ?? 0) }
            let stoppedData = try stopped.map { try JSONParser.parse($0.data) }
            #expect(stoppedData?["change"] == "stopped" && stoppedData?["active"] == false,
                    "stopping the track in the page is reported: \(String(describing: stoppedData))")
            await callPage.stop()
        }
    }
}

/// A test desktop, a site serving web/ from another port, an agent whose
/// screen plugin watches that desktop, and Chromium on it showing the page
/// that pairs through web/proctor-client.js.
struct ClientPageDesktop {
    let desktop: X11TestDesktop
    let site: StaticWebServer
    let api: APIHarness
    let browser: Chromium
    let page: DevToolsSession

    /// `page`: the test page under web/, with pairing-test.html's query; `query`: more of it;
    /// `plugins`: more of the agent's plugins, given the test display.
    static func open(screen config: JSONObject = [:], chromium arguments: [String] = [],
                     page path: String = "test/pairing-test.html", query: String = "",
                     plugins: (inout ConfigBuilder, String) -> Void = { _, _ in }) async throws -> ClientPageDesktop {
        let desktop = try await X11TestDesktop()
        do {
            let site = StaticWebServer()
            try await site.start()
            let origin = "http://127.0.0.1:\(site.port)"
            var screen = config
            screen["display"] = .string(desktop.display)
            let api = try await APIHarness(allowedOrigins: [origin]) { builder in
                builder.add(id: "screen", library: "screen", config: .object(screen))
                plugins(&builder, desktop.display)
            }
            let browser = try await Chromium.launch(display: desktop.display, extraArguments: arguments)
            let page = try await browser.open("\(origin)/\(path)?agent=ws://127.0.0.1:\(api.port)/v1&code=\(api.pairingCode)&topics=plugin.state\(query)")
            return ClientPageDesktop(desktop: desktop, site: site, api: api, browser: browser, page: page)
        } catch {
            desktop.stop()
            throw error
        }
    }

    /// Stops the agent and the site; the desktop (and the browser on it) is the caller's to stop.
    func stop() async {
        await api.stop()
        await site.stop()
    }
}
