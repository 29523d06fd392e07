import Audio
import Foundation
import ProctorTestSupport

/// The audio plugin's voice detector against the WebRTC VAD alone, frame by
/// frame (10 ms), on the same generated audio: speech from several
/// espeak-ng voices between pauses, mixed with white and pink noise at 20,
/// 10 and 5 dB SNR (sox). The truth is the speech in the clean WAV
/// (`TestSounds.segments`: sentences, pauses under 0.5 s inside).
struct AudioBenchmark {
    struct Score {
        var truePositives = 0, falsePositives = 0, falseNegatives = 0
        var precision: Double { Double(truePositives) / Double(max(truePositives + falsePositives, 1)) }
        var recall: Double { Double(truePositives) / Double(max(truePositives + falseNegatives, 1)) }
        var f1: Double { precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall) }

        mutating func add(found: [Bool], truth: [Bool]) {
            for (f, t) in zip(found, truth) {
                if f && t { truePositives += 1 } else if f { falsePositives += 1 } else if t { falseNegatives += 1 }
            }
        }
    }

    func run() async throws -> [Figure] {
        let directory = TemporaryDirectory("proctord-audio-bench")
        let sounds = TestSounds(directory: directory)
        let gap = try sounds.silence("gap", seconds: 1.0)
        var parts = [gap]
        let lines = [("en-us", "Tell me about a project you worked on last year."),
                     ("en-gb", "I built a small service that stored interview notes."),
                     ("en-us+f3", "Which database did you choose, and why?"),
                     ("en-gb-x-rp", "We needed transactions, so we picked a relational one."),
                     ("en-us+m4", "How did you test it before the release?")]
        for (i, (voice, text)) in lines.enumerated() { parts += [try sounds.speech("s\(i)", text, voice: voice), gap] }
        let clean = try sounds.concatenate("clean", parts)
        let cleanSamples = try TestSounds.samples(clean)
        let frames = cleanSamples.count / 160
        var truth = [Bool](repeating: false, count: frames)
        for segment in TestSounds.segments(cleanSamples) {
            for f in Int(segment.start * 100)..<min(frames, Int((segment.end * 100).rounded(.up))) { truth[f] = true }
        }
        let speechRMS = Self.rms(cleanSamples.filter { $0 != 0 })
        let seconds = Double(cleanSamples.count) / 16000
        var figures: [Figure] = []
        for snr in [20.0, 10.0, 5.0] {
            var ours = Score()
            var webrtc = [Score](repeating: Score(), count: 4)
            for noise in ["whitenoise", "pinknoise"] {
                // sox's synth at vol 1 has a known RMS only roughly: measure it, then scale.
                let probe = try TestSounds.samples(try sounds.synth("probe-\(noise)", seconds: seconds, [noise], volume: 0.1))
                let volume = 0.1 * speechRMS / Self.rms(probe) / pow(10, snr / 20)
                let noiseFile = try sounds.synth("\(noise)-\(Int(snr))", seconds: seconds, [noise], volume: volume)
                let mixed = try sounds.mix("mix-\(noise)-\(Int(snr))", clean, noiseFile)
                let samples = try TestSounds.samples(mixed)
                ours.add(found: Self.frames(try VoiceAnalysis.segments(samples), count: frames), truth: truth)
                for mode in 0...3 { webrtc[mode].add(found: try VoiceAnalysis.webrtcFrames(samples, mode: mode), truth: truth) }
            }
            let best = webrtc.map(\.f1).max() ?? 0
            for (name, score) in [("plugin", ours)] + (0...3).map { ("WebRTC mode \($0)", webrtc[$0]) } {
                figures.append(Figure(name: "\(Int(snr)) dB SNR, \(name): precision", value: score.precision, unit: "", target: nil, higherIsBetter: true))
                figures.append(Figure(name: "\(Int(snr)) dB SNR, \(name): recall", value: score.recall, unit: "", target: nil, higherIsBetter: true))
                figures.append(Figure(name: "\(Int(snr)) dB SNR, \(name): F1", value: score.f1, unit: "",
                                      target: name == "plugin" ? best : nil, higherIsBetter: true, baselineName: "best WebRTC mode"))
            }
        }
        return figures
    }

    static func rms(_ samples: [Int16]) -> Double {
        let sum = samples.reduce(0.0) { $0 + Double($1) * Double($1) }
        return (sum / Double(max(samples.count, 1))).squareRoot()
    }

    static func frames(_ segments: [(start: Double, end: Double)], count: Int) -> [Bool] {
        var result = [Bool](repeating: false, count: count)
        for s in segments { for f in Int(s.start * 100)..<min(count, Int((s.end * 100).rounded(.up))) { result[f] = true } }
        return result
    }
}
