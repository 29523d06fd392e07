import Foundation
import ProctorTestSupport

/// The room noises the voice benchmark mixes under speech, made the same way
/// every run (sox -R, espeak-ng, SplitMix), as 16 kHz samples in -1...1 with
/// an RMS of 1 over the whole clip, ready to be scaled to an SNR. Variant
/// 0 is the tuning set; another variant takes other stretches of sox's
/// noise, another typing seed, another fan (a 60 Hz grid's 120 Hz hum) and
/// the babble's talkers from other starts: held-out noise of the same kinds.
struct AudioNoises {
    static let names = ["white", "pink", "fan", "keyboard", "babble"]

    let sounds: TestSounds
    let seconds: Double
    var variant = 0

    func make(_ name: String) throws -> [Double] {
        let count = Int(seconds * Double(TestSounds.rateHz))
        let raw: [Double]
        switch name {
        case "white": raw = try synth(name, ["whitenoise"])
        case "pink": raw = try synth(name, ["pinknoise"])
        case "fan": raw = try fan(count)
        case "keyboard": raw = keyboard(count)
        case "babble": raw = try babble(count)
        default: throw BenchError("no noise called \(name)")
        }
        return Self.normalized(Array(raw.prefix(count)) + [Double](repeating: 0, count: max(0, count - raw.count)))
    }

    private func synth(_ name: String, _ arguments: [String], effects: [String] = []) throws -> [Double] {
        // sox -R repeats its noise: a variant skips into a later stretch of it.
        let skip = Double(variant) * 1.7
        let samples = try TestSounds.samples(try sounds.synth("noise-\(name)", seconds: seconds + skip, arguments, volume: 0.3, effects: effects))
        return samples.dropFirst(Int(skip * Double(TestSounds.rateHz))).map { Double($0) / 32768 }
    }

    /// A desk fan: low rumble (brown noise under 500 Hz) with the motor's hum
    /// at 100 Hz and its harmonics, beating slowly with the blades.
    private func fan(_ count: Int) throws -> [Double] {
        let rumble = try synth("fan-rumble", ["brownnoise"], effects: ["lowpass", "500"])
        let rate = Double(TestSounds.rateHz)
        let (mains, blades) = variant == 0 ? (100.0, 7.0) : (120.0, 5.0)
        return (0..<count).map { i in
            let t = Double(i) / rate
            let hum = 0.5 * sin(2 * .pi * mains * t) + 0.25 * sin(2 * .pi * 2 * mains * t) + 0.12 * sin(2 * .pi * 3 * mains * t)
            return (i < rumble.count ? rumble[i] : 0) + 0.05 * hum * (1 + 0.3 * sin(2 * .pi * blades * t))
        }
    }

    /// Typing: a key's press and release 60-120 ms apart, each a 5 ms burst
    /// of decaying noise, keys 80-350 ms apart at random (seeded) strengths.
    private func keyboard(_ count: Int) -> [Double] {
        var random = SplitMix(state: 0x6B65_7962_6F61_7264 &+ UInt64(variant))
        var result = [Double](repeating: 0, count: count)
        func click(at start: Int, strength: Double) {
            for i in 0..<80 where start + i < count {
                let noise = Double(random.next() >> 11) / Double(1 << 53) * 2 - 1
                result[start + i] += strength * noise * exp(-Double(i) / 16)
            }
        }
        var at = 1600
        while at < count {
            let strength = 0.3 + Double(random.below(70)) / 100
            click(at: at, strength: strength)
            click(at: at + 960 + random.below(960), strength: strength * 0.6)
            at += 1280 + random.below(4320)
        }
        return result
    }

    /// Voices in the next room: six espeak-ng speakers talking over each
    /// other, each played backwards so that no word is understood, and
    /// looped to the clip's length from a different start.
    private func babble(_ count: Int) throws -> [Double] {
        let talkers = [("en-us", "The quarterly numbers came in lower than we planned for the northern region."),
                       ("en-gb", "Could somebody book the large meeting room for Thursday afternoon please."),
                       ("en-us+f2", "I think the printer on the second floor is out of paper again today."),
                       ("de", "Wir treffen uns morgen früh vor dem Bahnhof und fahren dann gemeinsam los."),
                       ("fr", "Le train de huit heures est parti en retard à cause de la neige ce matin."),
                       ("en-us+m3", "Lunch is at noon in the kitchen, there will be pizza and some salad.")]
        var result = [Double](repeating: 0, count: count)
        for (index, (voice, text)) in talkers.enumerated() {
            let samples = try TestSounds.samples(try sounds.speech("babble\(index)", text, voice: voice)).reversed().map { Double($0) / 32768 }
            guard !samples.isEmpty else { continue }
            let offset = (2 * index + variant) * samples.count / (2 * talkers.count)
            for i in 0..<count { result[i] += samples[(i + offset) % samples.count] }
        }
        return result
    }

    static func normalized(_ samples: [Double]) -> [Double] {
        let rms = (samples.reduce(0) { $0 + $1 * $1 } / Double(max(samples.count, 1))).squareRoot()
        return rms > 0 ? samples.map { $0 / rms } : samples
    }
}
