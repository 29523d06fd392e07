#if canImport(Glibc)
import Glibc
#endif

/// What the voice detector looks at in one 10 ms frame besides the WebRTC
/// VAD's verdict, which in Debian's webrtc-audio-processing 0.3 calls any
/// loud steady noise voice (white, pink and brown noise and a 50 Hz hum, in
/// every mode): the RMS level in dBFS, and three measures of the spectrum
/// that tell voice from noise:
/// - the share of the power between 300 and 3400 Hz (the telephone band,
///   where voice has most of its energy): low for hum and rumble;
/// - the spectral flatness in that band (geometric over arithmetic mean of
///   the power): near 0.56 for any noise's periodogram, low for voiced
///   speech, whose harmonics make the spectrum peaky;
/// - the share above 300 Hz: a fricative's hiss has it, a rumble not.
/// The spectrum goes through a Hann window and a 256-point FFT.
struct FrameAnalyzer {
    static let fftSize = 256
    private let window: [Double]
    private let cosines: [Double]
    private let sines: [Double]
    private let bandBins: ClosedRange<Int>
    private var real = [Double](repeating: 0, count: fftSize)
    private var imaginary = [Double](repeating: 0, count: fftSize)

    init(frameSamples: Int, rateHz: Int) {
        window = (0..<frameSamples).map { 0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(frameSamples - 1)) }
        cosines = (0..<Self.fftSize / 2).map { cos(-2 * Double.pi * Double($0) / Double(Self.fftSize)) }
        sines = (0..<Self.fftSize / 2).map { sin(-2 * Double.pi * Double($0) / Double(Self.fftSize)) }
        let binHz = Double(rateHz) / Double(Self.fftSize)
        bandBins = Int((300 / binHz).rounded(.up))...Int(3400 / binHz)
    }

    /// RMS level of `frame` in dBFS: cheap, needed for every frame.
    static func level(_ frame: UnsafeBufferPointer<Int16>) -> Double {
        var energy = 0.0
        for sample in frame {
            let x = Double(sample) / 32768
            energy += x * x
        }
        return 10 * log10(energy / Double(max(frame.count, 1)) + 1e-12)
    }

    /// The spectral shape of `frame` (an FFT: computed only for frames that
    /// could be voice, see `VoiceDetector.push`).
    mutating func spectrum(_ frame: UnsafeBufferPointer<Int16>) -> FrameShape {
        for i in 0..<Self.fftSize {
            real[i] = i < frame.count ? Double(frame[i]) / 32768 * window[i] : 0
            imaginary[i] = 0
        }
        transform()
        var total = 0.0, above = 0.0, band = 0.0, logSum = 0.0
        for bin in 0...(Self.fftSize / 2) {
            let power = real[bin] * real[bin] + imaginary[bin] * imaginary[bin] + 1e-12
            total += power
            if bin >= bandBins.lowerBound { above += power }
            if bandBins.contains(bin) {
                band += power
                logSum += log(power)
            }
        }
        let count = Double(bandBins.count)
        return FrameShape(bandRatio: band / total, aboveBandRatio: above / total, flatness: exp(logSum / count) / (band / count))
    }

    /// In-place iterative radix-2 FFT of `real` + i `imaginary`.
    private mutating func transform() {
        let n = Self.fftSize
        var j = 0
        for i in 1..<n {
            var bit = n >> 1
            while j & bit != 0 {
                j ^= bit
                bit >>= 1
            }
            j |= bit
            if i < j {
                real.swapAt(i, j)
                imaginary.swapAt(i, j)
            }
        }
        var length = 2
        while length <= n {
            let step = n / length
            for start in stride(from: 0, to: n, by: length) {
                for k in 0..<(length / 2) {
                    let wr = cosines[k * step], wi = sines[k * step]
                    let a = start + k, b = a + length / 2
                    let tr = real[b] * wr - imaginary[b] * wi
                    let ti = real[b] * wi + imaginary[b] * wr
                    real[b] = real[a] - tr
                    imaginary[b] = imaginary[a] - ti
                    real[a] += tr
                    imaginary[a] += ti
                }
            }
            length <<= 1
        }
    }
}
