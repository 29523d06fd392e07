import ProctorJSON

/// The gaze figures of one stretch of an interview: the whole of it, or one
/// phase. Times are the events' wall-clock `ts`, in ms.
public struct GazeScope: Sendable, Equatable {
    /// The phase's name; nil for the whole interview and for the time before the first phase.
    public let name: String?
    public let startMs: Int64
    public internal(set) var endMs: Int64?

    public internal(set) var observedMilliseconds = 0.0
    public internal(set) var onScreenMilliseconds = 0.0
    public internal(set) var awayMilliseconds = 0.0
    public internal(set) var noFaceMilliseconds = 0.0
    public internal(set) var calibratedMilliseconds = 0.0
    public internal(set) var calibratedFixations = 0
    public internal(set) var uncalibratedFixations = 0
    public internal(set) var fixationMilliseconds = 0.0
    public internal(set) var saccades = 0
    public internal(set) var blinks = 0
    /// Where the calibrated point dwelt, in 10 px bins.
    public internal(set) var screenDwell = DwellMap(binSize: 10)
    /// Where head and eyes pointed before calibration, in 1 degree bins.
    public internal(set) var directionDwell = DwellMap(binSize: 1)
    /// The end of the last fixation, for counting the saccades between fixations.
    var lastFixationEndMs: Int64?

    /// Two fixations further apart than this are not joined by one saccade.
    static let saccadeGapMilliseconds: Int64 = 1000

    init(name: String?, startMs: Int64) {
        self.name = name
        self.startMs = startMs
    }

    public var fixations: Int { calibratedFixations + uncalibratedFixations }

    /// calibrated when any of it had a screen point, uncalibrated when only
    /// head and eye direction, none without gaze at all.
    public var basis: String {
        calibratedMilliseconds > 0 ? "calibrated" : directionDwell.totalMilliseconds > 0 ? "uncalibrated" : "none"
    }

    mutating func addDwell(_ frame: GazeFrame, milliseconds: Double, away: Bool) {
        guard frame.faceSeen else {
            noFaceMilliseconds += milliseconds
            return
        }
        observedMilliseconds += milliseconds
        if away { awayMilliseconds += milliseconds } else { onScreenMilliseconds += milliseconds }
        if let point = frame.screen {
            calibratedMilliseconds += milliseconds
            screenDwell.add(x: point.x, y: point.y, milliseconds: milliseconds)
        } else if let direction = frame.direction {
            directionDwell.add(x: direction.x, y: direction.y, milliseconds: milliseconds)
        }
    }

    mutating func addFixation(startMs: Int64, milliseconds: Double, calibrated: Bool) {
        if calibrated { calibratedFixations += 1 } else { uncalibratedFixations += 1 }
        fixationMilliseconds += milliseconds
        if let last = lastFixationEndMs, startMs - last <= Self.saccadeGapMilliseconds { saccades += 1 }
        lastFixationEndMs = startMs + Int64(milliseconds.rounded())
    }

    /// Events per minute of time with a face in view; nil when there was none.
    func perMinute(_ count: Int) -> Double? {
        observedMilliseconds > 0 ? Double(count) / (observedMilliseconds / 60_000) : nil
    }
}
