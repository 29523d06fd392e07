import Foundation

/// Sounds made for audio tests with espeak-ng and sox, and where the speech
/// in them is, computed from the samples (not from the plugin under test).
public struct TestSounds: Sendable {
    public let directory: String
    public static let rateHz = 16000

    public init(directory: TemporaryDirectory) { self.directory = directory.path }

    /// A 16 kHz mono WAV of `text` spoken by espeak-ng's `voice`.
    public func speech(_ name: String, _ text: String, voice: String = "en-us") throws -> String {
        let raw = directory + "/\(name)-espeak.wav"
        try Self.run("/usr/bin/espeak-ng", ["-v", voice, "-s", "150", "-w", raw, text])
        return try convert(raw, to: name)
    }

    /// `seconds` of silence.
    public func silence(_ name: String, seconds: Double) throws -> String {
        let path = directory + "/\(name).wav"
        try Self.run("/usr/bin/sox", ["-n", "-r", "16000", "-c", "1", "-b", "16", path, "trim", "0", String(seconds)])
        return path
    }

    /// `seconds` of sox's synth `arguments` (eg ["whitenoise"], ["sine", "50"]) at `volume`, then `effects`.
    public func synth(_ name: String, seconds: Double, _ arguments: [String], volume: Double, effects: [String] = []) throws -> String {
        let path = directory + "/\(name).wav"
        // -R: the same noise every run, so figures compare.
        try Self.run("/usr/bin/sox", ["-R", "-n", "-r", "16000", "-c", "1", "-b", "16", path, "synth", String(seconds)] + arguments
                     + ["vol", String(volume)] + effects)
        return path
    }

    /// The files one after another.
    public func concatenate(_ name: String, _ parts: [String]) throws -> String {
        let path = directory + "/\(name).wav"
        try Self.run("/usr/bin/sox", parts + [path])
        return path
    }

    /// Two files played together, sample by sample.
    public func mix(_ name: String, _ a: String, _ b: String) throws -> String {
        let path = directory + "/\(name).wav"
        try Self.run("/usr/bin/sox", ["-m", "-v", "1", a, "-v", "1", b, path])
        return path
    }

    private func convert(_ input: String, to name: String) throws -> String {
        let path = directory + "/\(name).wav"
        try Self.run("/usr/bin/sox", [input, "-r", "16000", "-c", "1", "-b", "16", path])
        return path
    }

    /// The 16-bit samples of a WAV that sox wrote (a plain 44-byte header).
    public static func samples(_ path: String) throws -> [Int16] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard data.count > 44 else { throw HarnessError("\(path): too short for a WAV") }
        return data.dropFirst(44).withUnsafeBytes { Array($0.bindMemory(to: Int16.self)) }
    }

    /// The speech in `samples`, as (start, end) in seconds: runs of 10 ms
    /// frames with a sample above `threshold` (of full scale), where pauses
    /// shorter than `mergeGap` seconds (between words) do not split a run.
    public static func segments(_ samples: [Int16], threshold: Double = 0.01, mergeGap: Double = 0.5) -> [(start: Double, end: Double)] {
        let frame = rateHz / 100
        let limit = Int16(threshold * 32768)
        var result: [(start: Double, end: Double)] = []
        for start in stride(from: 0, to: samples.count, by: frame) {
            let slice = samples[start..<min(start + frame, samples.count)]
            guard let first = slice.firstIndex(where: { abs(Int32($0)) > Int32(limit) }) else { continue }
            let last = slice.lastIndex(where: { abs(Int32($0)) > Int32(limit) })!
            let (a, b) = (Double(first) / Double(rateHz), Double(last + 1) / Double(rateHz))
            if let previous = result.last, a - previous.end < mergeGap {
                result[result.count - 1].end = b
            } else {
                result.append((a, b))
            }
        }
        return result
    }

    public static func duration(_ path: String) throws -> Double { Double(try samples(path).count) / Double(rateHz) }

    static func run(_ executable: String, _ arguments: [String]) throws {
        try runToEnd(executable, arguments)
    }
}
