/// What `FrameAnalyzer` finds in one frame's spectrum.
struct FrameShape {
    /// The share of the power in 300-3400 Hz (the telephone band) ...
    var bandRatio: Double
    /// ... and above 300 Hz, where a fricative's hiss is too and a fan's rumble is not.
    var aboveBandRatio: Double
    /// Spectral flatness in 300-3400 Hz: near 0.56 for noise, low for voiced speech.
    var flatness: Double
}
