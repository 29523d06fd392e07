import Foundation

/// What the test display's monitor shows, pixel by pixel (RGB), taken with
/// ffmpeg's x11grab from the root window without the mouse pointer: what a
/// person in front of the screen would see, browser interface included.
public struct Screenshot: Sendable {
    public let width: Int
    public let height: Int
    /// Three bytes per pixel, row by row from the top left.
    public let rgb: [UInt8]

    public init(width: Int, height: Int, rgb: [UInt8]) {
        (self.width, self.height, self.rgb) = (width, height, rgb)
    }

    public struct Colour: Equatable, Sendable, CustomStringConvertible {
        public var r, g, b: UInt8
        public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) { (self.r, self.g, self.b) = (r, g, b) }

        /// Each channel within `tolerance` of the other's.
        public func isClose(to other: Colour, tolerance: Int = 8) -> Bool {
            abs(Int(r) - Int(other.r)) <= tolerance && abs(Int(g) - Int(other.g)) <= tolerance && abs(Int(b) - Int(other.b)) <= tolerance
        }

        public var description: String { "rgb(\(r), \(g), \(b))" }
    }

    /// Grabs the whole screen of `display` (`width` x `height`, the Xvfb screen's size).
    public static func take(display: String, width: Int = 1280, height: Int = 800) throws -> Screenshot {
        let data = try XTools(display: display).output(of: "ffmpeg", [
            "-nostdin", "-loglevel", "error", "-f", "x11grab", "-draw_mouse", "0", "-video_size", "\(width)x\(height)",
            "-i", display, "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-",
        ], timeout: .seconds(30))
        guard data.count == width * height * 3 else {
            throw HarnessError("ffmpeg x11grab of \(display) gave \(data.count) bytes, not \(width * height * 3)")
        }
        return Screenshot(width: width, height: height, rgb: [UInt8](data))
    }

    public func pixel(x: Int, y: Int) -> Colour {
        let i = (y * width + x) * 3
        return Colour(rgb[i], rgb[i + 1], rgb[i + 2])
    }

    /// The share of the pixels in rows `rows` (all by default) that are close to `colour`.
    public func fraction(of colour: Colour, rows: Range<Int>? = nil, tolerance: Int = 8) -> Double {
        let rows = rows ?? 0..<height
        var matching = 0
        for y in rows {
            for x in 0..<width where pixel(x: x, y: y).isClose(to: colour, tolerance: tolerance) { matching += 1 }
        }
        return Double(matching) / Double(max(1, rows.count * width))
    }

    /// Keeps the picture as a binary PPM (any image viewer opens it), for a person to look at after the test.
    @discardableResult
    public func save(to path: String) -> String {
        var file = Data("P6\n\(width) \(height)\n255\n".utf8)
        file.append(contentsOf: rgb)
        FileManager.default.createFile(atPath: path, contents: file)
        return path
    }
}
