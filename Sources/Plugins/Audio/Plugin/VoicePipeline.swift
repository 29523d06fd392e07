import AudioVAD

/// One stream's voice detection, frame by frame: the WebRTC VAD, the
/// spectral features and `VoiceDetector`. The live plugin and the offline
/// analysis (tests, the benchmark) run the same code.
final class VoicePipeline {
    static let rateHz = 16000
    let frameSamples: Int
    private let vad: OpaquePointer
    private var analyzer: FrameAnalyzer
    private(set) var detector: VoiceDetector

    init(settings: VoiceDetector.Settings, vadMode: Int) throws {
        guard let vad = audio_vad_new(Int32(Self.rateHz), Int32(vadMode)) else {
            throw VoicePipelineError(description: "the WebRTC voice activity detector did not start (mode \(vadMode))")
        }
        self.vad = vad
        frameSamples = audio_vad_frame_samples(vad)
        analyzer = FrameAnalyzer(frameSamples: frameSamples, rateHz: Self.rateHz)
        detector = VoiceDetector(settings: settings)
    }

    deinit { audio_vad_free(vad) }

    var frameMs: Int { frameSamples * 1000 / Self.rateHz }

    /// The WebRTC VAD's verdict alone on one frame (`frameSamples` samples).
    func webrtcSaysVoice(_ frame: UnsafeBufferPointer<Int16>) -> Bool { audio_vad_process(vad, frame.baseAddress) == 1 }

    /// One frame through the whole detector.
    func push(_ frame: UnsafeBufferPointer<Int16>) -> VoiceDetector.Transition? {
        detector.push(level: FrameAnalyzer.level(frame), vad: webrtcSaysVoice(frame)) { analyzer.spectrum(frame) }
    }

    /// Forgets everything heard (a new source).
    func reset() { detector = VoiceDetector(settings: detector.settings) }
}

struct VoicePipelineError: Error, CustomStringConvertible {
    let description: String
}

/// Voice in a whole recording, for tests and the benchmark: the same
/// pipeline as the live plugin, fed from memory.
public enum VoiceAnalysis {
    /// Segments as (start, end) in seconds, with the plugin's default settings
    /// (16 kHz mono S16 samples).
    public static func segments(_ samples: [Int16], vadMode: Int = 3) throws -> [(start: Double, end: Double)] {
        let pipeline = try VoicePipeline(settings: VoiceDetector.Settings(), vadMode: vadMode)
        var result: [(start: Double, end: Double)] = []
        var open: Int?
        let n = pipeline.frameSamples
        try samples.withUnsafeBufferPointer { all in
            for (index, offset) in stride(from: 0, to: all.count - n + 1, by: n).enumerated() {
                switch pipeline.push(UnsafeBufferPointer(rebasing: all[offset..<(offset + n)])) {
                case .started(let delay, _, _)?: open = index - delay
                case .stopped(let delay, _, _, _)?:
                    guard let start = open else { throw VoicePipelineError(description: "stopped before started") }
                    result.append((Double(start * n) / Double(VoicePipeline.rateHz), Double((index - delay) * n) / Double(VoicePipeline.rateHz)))
                    open = nil
                case nil: break
                }
            }
        }
        if let open { result.append((Double(open * n) / Double(VoicePipeline.rateHz), Double(samples.count) / Double(VoicePipeline.rateHz))) }
        return result
    }

    /// The WebRTC VAD's frame-by-frame verdicts in `mode` (0-3), for comparison.
    public static func webrtcFrames(_ samples: [Int16], mode: Int) throws -> [Bool] {
        let pipeline = try VoicePipeline(settings: VoiceDetector.Settings(), vadMode: mode)
        let n = pipeline.frameSamples
        return samples.withUnsafeBufferPointer { all in
            stride(from: 0, to: all.count - n + 1, by: n).map { pipeline.webrtcSaysVoice(UnsafeBufferPointer(rebasing: all[$0..<($0 + n)])) }
        }
    }
}
