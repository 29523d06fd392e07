import Foundation
import ProctorJSON

extension Screenshot {
    /// The pixels of a PNG, decoded by ffmpeg (not by the code under test);
    /// `scratch` is a directory the PNG is written to for ffmpeg to read.
    public static func decode(png: Data, scratch: String) throws -> Screenshot {
        let file = scratch + "/shot-\(UUID().uuidString).png"
        try png.write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        process.arguments = ["-nostdin", "-loglevel", "error", "-i", file, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let rgb = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        // The size from the PNG's own header: width and height at bytes 16 and 20.
        let header = [UInt8](png.prefix(24))
        guard header.count == 24 else { throw HarnessError("a PNG of \(png.count) bytes has no header") }
        let width = header[16..<20].reduce(0) { $0 << 8 | Int($1) }, height = header[20..<24].reduce(0) { $0 << 8 | Int($1) }
        guard rgb.count == width * height * 3 else { throw HarnessError("ffmpeg gave \(rgb.count) bytes for a \(width)x\(height) PNG") }
        return Screenshot(width: width, height: height, rgb: [UInt8](rgb))
    }

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
    /// The page's viewport (or the `clip` box) as a PNG.
    public func screenshotPNG(clip: JSONValue? = nil) async throws -> Data {
        var params: JSONValue = ["format": "png"]
        if let clip { params = ["format": "png", "clip": clip, "captureBeyondViewport": true] }
        let shot = try await call("Page.captureScreenshot", params)
        guard let png = Data(base64Encoded: shot["data"]?.stringValue ?? "") else {
            throw Chromium.Unavailable(description: "Page.captureScreenshot gave no PNG")
        }
        return png
    }
}
