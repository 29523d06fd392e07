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
}
