import Audio
import Foundation
import ProctorTestSupport
import Testing

/// The voice detector on generated recordings, without a sound server: the
/// same pipeline the plugin runs, fed from memory.
@Suite struct VoiceAnalysisTests {
    @Test func speechSegmentsMatchTheWav() throws {
        let directory = TemporaryDirectory("proctord-voice")
        let sounds = TestSounds(directory: directory)
        let gap = try sounds.silence("gap", seconds: 1.0)
        var parts = [gap]
        for (i, (voice, text)) in [("en-us", "Tell me about a project you worked on last year."),
                                   ("en-gb", "I built a small service that stored interview notes."),
                                   ("en-us+f3", "Which database did you choose, and why?")].enumerated() {
            parts += [try sounds.speech("s\(i)", text, voice: voice), gap]
        }
        let samples = try TestSounds.samples(try sounds.concatenate("speech", parts))
        let truth = TestSounds.segments(samples)
        let found = try VoiceAnalysis.segments(samples)
        try #require(found.count == truth.count, "found \(found), the WAV has \(truth)")
        for (f, t) in zip(found, truth) {
            #expect(abs(f.start - t.start) <= 0.15 && abs(f.end - t.end) <= 0.15, "found \(f), the WAV has \(t)")
        }
    }

    @Test func steadyNoiseAndHumAreNotVoice() throws {
        let directory = TemporaryDirectory("proctord-voice")
        let sounds = TestSounds(directory: directory)
        let noises = [
            ("white", try sounds.synth("white", seconds: 4, ["whitenoise"], volume: 0.3)),
            ("pink", try sounds.synth("pink", seconds: 4, ["pinknoise"], volume: 0.3)),
            ("hum", try sounds.synth("hum", seconds: 4, ["sine", "50"], volume: 0.3)),
            ("fan", try sounds.synth("fan", seconds: 4, ["brownnoise"], volume: 0.5, effects: ["lowpass", "400", "tremolo", "20", "20"])),
        ]
        for (name, file) in noises {
            let samples = try TestSounds.samples(file)
            #expect(try VoiceAnalysis.segments(samples).isEmpty, "\(name) was taken for voice")
            // The point of the extra checks: the WebRTC VAD alone calls it voice.
            #expect(try VoiceAnalysis.webrtcFrames(samples, mode: 3).filter { $0 }.count > samples.count / 160 / 2, "\(name): WebRTC alone")
        }
    }

    /// Typing right after a sentence: each key's click is loud and the WebRTC
    /// VAD calls many of them voice, but a few milliseconds of sound must not
    /// hold the segment open, so it still ends where the speech does.
    @Test func typingAfterSpeechDoesNotProlongIt() throws {
        let directory = TemporaryDirectory("proctord-voice")
        let sounds = TestSounds(directory: directory)
        let gap = try sounds.silence("gap", seconds: 1.0)
        let tail = try sounds.silence("tail", seconds: 3.0)
        let clean = try TestSounds.samples(try sounds.concatenate("speech", [gap, try sounds.speech("s", "Tell me about a project you worked on last year."), tail]))
        let truth = TestSounds.segments(clean)
        try #require(truth.count == 1, "the WAV itself: \(truth)")
        // Clicks (5 ms of decaying noise, strong as the speech's peaks) every 150-300 ms from the speech's end on.
        var random = SplitMix(state: 7)
        var samples = clean.map(Int32.init)
        var at = Int(truth[0].end * Double(TestSounds.rateHz)) + 800
        while at + 80 < samples.count {
            for i in 0..<80 {
                let noise = Double(random.next() >> 11) / Double(1 << 53) * 2 - 1
                samples[at + i] += Int32(12000 * noise * exp(-Double(i) / 16))
            }
            at += 2400 + random.below(2400)
        }
        let typed = samples.map { Int16(max(-32768, min(32767, $0))) }
        let webrtcClicks = try VoiceAnalysis.webrtcFrames(typed, mode: 3).enumerated().filter { $0.element && Double($0.offset) / 100 > truth[0].end + 0.3 }
        #expect(webrtcClicks.count >= 5, "the WebRTC VAD alone should take clicks for voice: \(webrtcClicks.count) frames")
        let found = try VoiceAnalysis.segments(typed)
        try #require(found.count == 1, "found \(found), the WAV has \(truth)")
        #expect(abs(found[0].start - truth[0].start) <= 0.15 && abs(found[0].end - truth[0].end) <= 0.15, "found \(found[0]), the WAV has \(truth[0])")
    }
}
