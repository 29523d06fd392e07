import Foundation
import ProctorJSON

extension Screenshot {
    /// The share of the picture taken by its most common colour (within
    /// `tolerance`), sampled on a grid: near 1 for a blank page.
    public func dominantColourFraction(step: Int = 4, tolerance: Int = 6) -> Double {
        var counts: [Int: Int] = [:]
        var total = 0
        let bucket = max(1, tolerance)
        for y in stride(from: 0, to: height, by: step) {
            for x in stride(from: 0, to: width, by: step) {
                let p = pixel(x: x, y: y)
                counts[(Int(p.r) / bucket) << 16 | (Int(p.g) / bucket) << 8 | Int(p.b) / bucket, default: 0] += 1
                total += 1
            }
        }
        return Double(counts.values.max() ?? 0) / Double(max(1, total))
    }
}

extension DevToolsSession {
    /// The page's viewport as a PNG.
    public func screenshotPNG() async throws -> Data {
        let shot = try await call("Page.captureScreenshot", ["format": "png"])
        guard let png = Data(base64Encoded: shot["data"]?.stringValue ?? "") else {
            throw Chromium.Unavailable(description: "Page.captureScreenshot gave no PNG")
        }
        return png
    }
}
