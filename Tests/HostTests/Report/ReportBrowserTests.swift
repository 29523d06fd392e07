import Foundation
import ProctorHost
import ProctorJSON
import ProctorTestSupport
import Testing

/// The HTML report opened in a real headless Chromium, looked at in the DOM
/// and in screenshots decoded by ffmpeg: it renders, and shows the heatmaps
/// and the timeline.
@Suite(.serialized) struct ReportBrowserTests {
    let dir = TemporaryDirectory("proctord-report-browser")

    func screenshot(_ page: DevToolsSession, of selector: String) async throws -> Screenshot {
        try await page.screenshot(of: selector, in: dir.path).pixels
    }

    @Test func theReportRendersWithItsHeatmapsAndTimeline() async throws {
        try PrivateDirectory.create(dir.path + "/interviews")
        let synthetic = try SyntheticInterview.write(directory: dir.path + "/interviews", minutes: 6)
        let html = try InterviewArchive(directory: dir.path + "/interviews").report(synthetic.id).html
        let file = dir.path + "/report.html"
        try html.write(toFile: file, atomically: true, encoding: .utf8)

        let browser = try await Chromium.launch()
        let page = try await browser.open("file://" + file)
        try await page.call("Emulation.setDeviceMetricsOverride", ["width": 1100, "height": 2400, "deviceScaleFactor": 1, "mobile": false])
        let ready = try await page.waitFor("document.readyState === 'complete' && document.querySelectorAll('svg.heatmap').length") { ($0.intValue ?? 0) > 0 }
        // The whole interview and each phase have a calibrated map; the whole and the introduction,
        // which began before calibration, also an uncalibrated one.
        #expect(ready.intValue == 2 + synthetic.phases.count + 1)
        #expect(try await page.evaluate("document.querySelectorAll('svg.heatmap[data-basis=calibrated] rect.cell').length").intValue ?? 0 > 10)
        #expect(try await page.evaluate("document.querySelector('svg.heatmap[data-basis=uncalibrated] text').textContent").stringValue?.hasPrefix("uncalibrated") == true)
        let rows = try await page.evaluate("[...document.querySelectorAll('#timeline .timeline-row')].map(g => g.dataset.kind + ':' + g.querySelectorAll('rect.bar').length).join(',')")
        #expect(rows.stringValue == "phases:4,alerts:1,plugin:1,plugin:3,plugin:1,plugin:1", "\(rows)")
        #expect(try await page.evaluate("document.querySelector('#score .arithmetic').textContent") == "100 − 8 (face_absent) − 4 (plugin_degraded) = 88")

        // Not blank: the page has text and colour.
        let whole = try await screenshot(page, of: "body")
        // For a person to look at: PROCTORD_TEST_ARTIFACTS=DIR keeps the page and its picture.
        if let keep = ProcessInfo.processInfo.environment["PROCTORD_TEST_ARTIFACTS"] {
            try? html.write(toFile: keep + "/report.html", atomically: true, encoding: .utf8)
            whole.save(to: keep + "/report.ppm")
        }
        #expect(whole.width > 900 && whole.fraction(of: .init(255, 255, 255), tolerance: 4) < 0.97)

        // The whole interview's heatmap: its cells show in red over the screen's pale background.
        let heatmap = try await screenshot(page, of: "svg.heatmap[data-basis=calibrated]")
        #expect(heatmap.width == 320 && heatmap.height == 180)
        var red = 0
        for y in 0..<heatmap.height {
            for x in 0..<heatmap.width {
                let p = heatmap.pixel(x: x, y: y)
                if Int(p.r) - Int(p.g) > 40 { red += 1 }
            }
        }
        #expect(red > heatmap.width * heatmap.height / 50, "\(red) reddish pixels")

        // The timeline: the running plugins' green and the degraded stretch's amber.
        let timeline = try await screenshot(page, of: "#timeline")
        #expect(timeline.fraction(of: .init(0x16, 0xa3, 0x4a), tolerance: 10) > 0.05)
        #expect(timeline.fraction(of: .init(0xf5, 0x9e, 0x0b), tolerance: 10) > 0)
    }
}
