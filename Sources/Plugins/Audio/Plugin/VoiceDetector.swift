#if canImport(Glibc)
import Glibc
#endif

/// Turns per-frame evidence into voice segments: a frame is voice when the
/// WebRTC VAD says so, it stands `marginDb` above the room's noise floor
/// (the quietest frame of the last `floorWindowFrames`, so a steady fan or
/// hum becomes the floor within that time) and its spectrum looks like
/// voice (see `FrameAnalyzer`). A segment starts when `onsetNeeded` of the
/// last `onsetWindow` frames are voice, dated from the first of them, and
/// ends `hangoverFrames` after the last frame that was voice or still loud
/// above the floor for `minLoudRunFrames` (so quiet word endings such as a
/// final "s" stay inside, and typing does not hold a segment open).
struct VoiceDetector: Sendable {
    struct Settings: Sendable, Equatable {
        var onsetWindow = 10
        var onsetNeeded = 6
        var hangoverFrames = 40
        var marginDb = 6.0
        var minLevelDbfs = -55.0
        var floorWindowFrames = 150
        /// Voice keeps most of its power in 300-3400 Hz ...
        var minBandRatio = 0.5
        /// ... and its voiced frames are far from flat (noise is near 0.56; tuned on the benchmark's audio).
        var maxFlatness = 0.4
        /// Inside a segment, a loud sound the VAD calls voice prolongs it only
        /// once it has lasted this many frames: a key's click or a tap (a few
        /// milliseconds) does not keep a segment open, a word ending does.
        var minLoudRunFrames = 3
        /// ... and only if this share of its power lies above 300 Hz (a
        /// fricative's hiss does; a fan's rumble or a door's thud does not).
        var minAboveBandRatio = 0.3
    }

    enum Transition: Sendable, Equatable {
        /// Voice began `delayFrames` frames before the current one.
        case started(delayFrames: Int, levelDbfs: Double, floorDbfs: Double)
        /// Voice ended `delayFrames` before the current frame, after `durationFrames`.
        case stopped(delayFrames: Int, durationFrames: Int, levelDbfs: Double, floorDbfs: Double)
    }

    let settings: Settings
    private var levels: [Double]
    private var levelCursor = 0
    private var recent: [Bool]
    private var recentCursor = 0
    /// How many of `recent` are true.
    private var recentVoice = 0
    private var frame = 0
    /// How many frames in a row, up to this one, were loud and called voice by the VAD.
    private var loudRun = 0
    private var start: Int?
    private var lastVoice = 0
    private var energySum = 0.0
    private var energyFrames = 0

    init(settings: Settings) {
        self.settings = settings
        levels = Array(repeating: -120, count: settings.floorWindowFrames)
        recent = Array(repeating: false, count: settings.onsetWindow)
    }

    var isActive: Bool { start != nil }

    /// The quietest level of the recent past.
    var floor: Double { levels.min() ?? -120 }

    /// One frame: its level, the WebRTC VAD's verdict and its spectral
    /// shape, which is asked for (an FFT) only when the frame is loud and
    /// the VAD says voice: most frames of a quiet room cost no FFT.
    mutating func push(level: Double, vad: Bool, spectrum: () -> FrameShape) -> Transition? {
        defer { frame += 1 }
        levels[levelCursor] = level
        levelCursor = (levelCursor + 1) % levels.count
        let floor = self.floor
        let loud = level >= max(floor + settings.marginDb, settings.minLevelDbfs)
        loudRun = vad && loud ? loudRun + 1 : 0
        var voice = false, notRumble = false
        if vad && loud {
            let shape = spectrum()
            voice = shape.bandRatio >= settings.minBandRatio && shape.flatness <= settings.maxFlatness
            notRumble = shape.aboveBandRatio >= settings.minAboveBandRatio
        }
        if recent[recentCursor] { recentVoice -= 1 }
        if voice { recentVoice += 1 }
        recent[recentCursor] = voice
        recentCursor = (recentCursor + 1) % recent.count
        if let start {
            if voice || (loudRun >= settings.minLoudRunFrames && notRumble) {
                lastVoice = frame
                energySum += pow(10, level / 10)
                energyFrames += 1
            } else if frame - lastVoice >= settings.hangoverFrames {
                self.start = nil
                return .stopped(delayFrames: frame - lastVoice - 1, durationFrames: lastVoice + 1 - start,
                                levelDbfs: meanLevel, floorDbfs: floor)
            }
            return nil
        }
        guard recentVoice >= settings.onsetNeeded else { return nil }
        // Date the onset from the oldest voice frame still in the window.
        var first = frame
        for age in 0..<recent.count where recent[(recentCursor - 1 - age + 2 * recent.count) % recent.count] {
            first = frame - age
        }
        start = first
        lastVoice = frame
        energySum = pow(10, level / 10)
        energyFrames = 1
        recent = Array(repeating: false, count: recent.count)
        recentVoice = 0
        return .started(delayFrames: frame - first, levelDbfs: level, floorDbfs: floor)
    }

    private var meanLevel: Double { 10 * log10(energySum / Double(max(energyFrames, 1)) + 1e-12) }
}
