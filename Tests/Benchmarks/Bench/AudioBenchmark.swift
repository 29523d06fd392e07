import Audio
import Foundation
import ProctorTestSupport

/// The audio plugin's voice detector against the WebRTC VAD alone, frame by
/// frame (10 ms), on the same generated audio: speech from several
/// espeak-ng voices between pauses, mixed with each of `AudioNoises` (white,
/// pink, fan, keyboard, babble) at 20, 10 and 5 dB SNR. The truth is the
/// speech in the clean WAV (`TestSounds.segments`: sentences, pauses under
/// 0.5 s inside). Each SNR's precision, recall and F1 pool all the noises;
/// F1 per noise follows, against the best WebRTC mode on that noise.
/// `heldOut` runs the same measurement on other sentences, voices and noise
/// (`audio-voice` runs both): audio the detector's settings were never tuned on.
struct AudioBenchmark {
    var heldOut = false

    static let tuningLines = [("en-us", "Tell me about a project you worked on last year."),
                              ("en-gb", "I built a small service that stored interview notes."),
                              ("en-us+f3", "Which database did you choose, and why?"),
                              ("en-gb-x-rp", "We needed transactions, so we picked a relational one."),
                              ("en-us+m4", "How did you test it before the release?")]
    static let heldOutLines = [("en-gb+f2", "Walk me through the last bug you fixed in production."),
                               ("en-us+m2", "The cache returned stale prices after a deploy, so we added versions."),
                               ("en-gb-scotland", "What would you change if you had another month?"),
                               ("en-us+f4", "Honestly, the monitoring: we found out from customers first."),
                               ("en-029", "Thank you, that is all the questions I have.")]

    struct Score {
        var truePositives = 0, falsePositives = 0, falseNegatives = 0
        var precision: Double { Double(truePositives) / Double(max(truePositives + falsePositives, 1)) }
        var recall: Double { Double(truePositives) / Double(max(truePositives + falseNegatives, 1)) }
        var f1: Double { precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall) }

        mutating func add(_ other: Score) {
            truePositives += other.truePositives
            falsePositives += other.falsePositives
            falseNegatives += other.falseNegatives
        }

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
        let lines = heldOut ? Self.heldOutLines : Self.tuningLines
        for (i, (voice, text)) in lines.enumerated() { parts += [try sounds.speech("s\(i)", text, voice: voice), gap] }
        let clean = try sounds.concatenate("clean", parts)
        let cleanSamples = try TestSounds.samples(clean)
        let frames = cleanSamples.count / 160
        var truth = [Bool](repeating: false, count: frames)
        for segment in TestSounds.segments(cleanSamples) {
            for f in Int(segment.start * 100)..<min(frames, Int((segment.end * 100).rounded(.up))) { truth[f] = true }
        }
        let speechRMS = Self.rms(cleanSamples.filter { $0 != 0 }) / 32768
        let seconds = Double(cleanSamples.count) / 16000
        let generator = AudioNoises(sounds: sounds, seconds: seconds, variant: heldOut ? 1 : 0)
        let noises = try AudioNoises.names.map { ($0, try generator.make($0)) }
        let set = heldOut ? "held out, " : ""
        var figures: [Figure] = []
        var detectorSeconds = 0.0, audioSeconds = 0.0
        for snr in [20.0, 10.0, 5.0] {
            var ours = Score()
            var webrtc = [Score](repeating: Score(), count: 4)
            var perNoise: [Figure] = []
            for (noise, unitNoise) in noises {
                // The noise's RMS over the clip sits `snr` dB under the speech's RMS over its nonzero samples.
                let scale = speechRMS / pow(10, snr / 20)
                let samples = zip(cleanSamples, unitNoise).map { clean, n in
                    Int16(max(-32768, min(32767, (Double(clean) + n * scale * 32768).rounded())))
                }
                var score = Score()
                let before = Self.threadCPUSeconds()
                score.add(found: Self.frames(try VoiceAnalysis.segments(samples), count: frames), truth: truth)
                detectorSeconds += Self.threadCPUSeconds() - before
                audioSeconds += seconds
                ours.add(score)
                var bestHere = 0.0
                for mode in 0...3 {
                    var modeScore = Score()
                    modeScore.add(found: try VoiceAnalysis.webrtcFrames(samples, mode: mode), truth: truth)
                    webrtc[mode].add(modeScore)
                    bestHere = max(bestHere, modeScore.f1)
                }
                perNoise.append(Figure(name: "\(set)\(Int(snr)) dB SNR, \(noise) noise, plugin: F1", value: score.f1, unit: "", target: bestHere,
                                       higherIsBetter: true, baselineName: "best WebRTC mode"))
            }
            let best = webrtc.map(\.f1).max() ?? 0
            for (name, score) in [("plugin", ours)] + (0...3).map { ("WebRTC mode \($0)", webrtc[$0]) } {
                figures.append(Figure(name: "\(set)\(Int(snr)) dB SNR, \(name): precision", value: score.precision, unit: "", target: nil, higherIsBetter: true))
                figures.append(Figure(name: "\(set)\(Int(snr)) dB SNR, \(name): recall", value: score.recall, unit: "", target: nil, higherIsBetter: true))
                figures.append(Figure(name: "\(set)\(Int(snr)) dB SNR, \(name): F1", value: score.f1, unit: "",
                                      target: name == "plugin" ? best : nil, higherIsBetter: true, baselineName: "best WebRTC mode"))
            }
            figures += perNoise
        }
        // The detector alone (WebRTC VAD, features, smoothing) on one thread, without the sound server.
        figures.append(Figure(name: "\(set)voice detector CPU per second of 16 kHz audio (offline)", value: detectorSeconds / audioSeconds * 100,
                              unit: "% of a core", target: 1, higherIsBetter: false))
        return figures
    }

    /// CPU time of the calling thread, in seconds.
    static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
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
