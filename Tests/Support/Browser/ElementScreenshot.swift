import Foundation
import ProctorJSON

extension Screenshot {
    /// The pixels of a PNG, decoded by ffmpeg (not by the code under test).
    /// `directory` holds the file ffmpeg reads.
    public static func decode(png: Data, in directory: String) throws -> Screenshot {
        let file = directory + "/shot-\(UUID().uuidString).png"
        try png.write(to: URL(fileURLWithPath: file))
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
        guard header.count == 24 else { throw HarnessError("not a PNG: \(png.count) bytes") }
        let width = header[16..<20].reduce(0) { $0 << 8 | Int($1) }, height = header[20..<24].reduce(0) { $0 << 8 | Int($1) }
        guard rgb.count == width * height * 3 else { throw HarnessError("ffmpeg gave \(rgb.count) bytes for a \(width)x\(height) PNG") }
        return Screenshot(width: width, height: height, rgb: [UInt8](rgb))
    }
}

extension DevToolsSession {
    /// A PNG of the first element `selector` matches, as the page draws it,
    /// with its pixels decoded (files for ffmpeg go to `directory`).
    public func screenshot(of selector: String, in directory: String) async throws -> (png: Data, pixels: Screenshot) {
        let box = try JSONParser.parse(
            try await evaluate("JSON.stringify(document.querySelector(\(JSONWriter.quoted(selector))).getBoundingClientRect())").stringValue ?? "{}")
        let clip: JSONValue = ["x": box["x"] ?? 0, "y": box["y"] ?? 0, "width": box["width"] ?? 0, "height": box["height"] ?? 0, "scale": 1]
        let shot = try await call("Page.captureScreenshot", ["format": "png", "clip": clip, "captureBeyondViewport": true])
        guard let png = Data(base64Encoded: shot["data"]?.stringValue ?? "") else { throw HarnessError("no PNG in the screenshot's answer") }
        return (png, try Screenshot.decode(png: png, in: directory))
    }
}
