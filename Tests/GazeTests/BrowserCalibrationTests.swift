import Foundation
import ProctorJSON
import ProctorTestSupport
import Testing

/// web/calibration.js in a real headless Chromium, calibrating the gaze
/// plugin that plays a recorded clip as its camera.
@Suite(.serialized) struct BrowserCalibrationTests {
    @Test func theCalibrationPageRunsToAValidatedResult() async throws {
        let clip = try GazeFixtures.file(GazeFixtures.singleFace)
        let site = StaticWebServer()
        try await site.start()
        let origin = "http://127.0.0.1:\(site.port)"
        let api = try await APIHarness(allowedOrigins: [origin]) {
            $0.add(id: "gaze", library: "gaze", config: ["source": .string("file:" + clip), "sample_rate_hz": 10])
        }
        let browser = try await Chromium.launch()
        let page = try await browser.open("\(origin)/test/calibration-test.html?agent=ws://127.0.0.1:\(api.port)/v1&code=\(api.pairingCode)")
        let title = try await page.waitFor("document.title", timeout: 90) { $0 == "calibrated" || $0.stringValue?.hasPrefix("error") == true }
        let state = try JSONParser.parse(try await page.evaluate("JSON.stringify(window.testState)").stringValue ?? "{}")
        #expect(title == "calibrated", "\(state["error"] ?? nil)")
        let result = state["result"]
        #expect(result?["accuracy_px"]?.doubleValue != nil && result?["accuracy_deg"]?.doubleValue != nil, "\(result ?? nil)")
        // The page put its own subscription back when it was done.
        #expect(state["subscribedBefore"]?.arrayValue != nil, "the page read its subscription: \(state)")
        #expect(state["subscribedAfter"] == state["subscribedBefore"])
        await api.stop()
        await site.stop()
    }
}
