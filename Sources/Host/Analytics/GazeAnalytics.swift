/// Gaze analytics of one interview, fed its events in seq order: dwell
/// heatmaps, fixations, saccades, time on screen and away, blinks, for the
/// whole interview and per phase. Pure (no clock, no I/O): the live
/// `gaze.heatmap` publisher and the report run the same code on the same
/// events and get the same figures.
public struct GazeAnalytics: Sendable {
    /// A sample's gaze counts until the next sample, at most this long: a
    /// longer silence is time the camera did not see, not dwell.
    public static let maximumDwellMilliseconds = 1000.0

    public private(set) var whole: GazeScope
    /// The time before the first phase (when it has any), then each phase, the last one still open.
    public private(set) var phases: [GazeScope]
    /// The primary monitor's size, from the newest `screen.monitors`.
    public private(set) var monitor: (width: Double, height: Double)?
    /// The largest calibrated point seen: the screen's extent when no monitor is known.
    public private(set) var screenExtent: (width: Double, height: Double) = (0, 0)
    public private(set) var calibrationTargetsCollected = 0
    public private(set) var firstCalibratedMs: Int64?
    public private(set) var lastMs: Int64

    private var away = false
    private var previous: (ms: Int64, frame: GazeFrame)?
    private var directionFixations = DirectionFixations()

    public init(startMs: Int64) {
        whole = GazeScope(name: nil, startMs: startMs)
        phases = [GazeScope(name: nil, startMs: startMs)]
        lastMs = startMs
    }

    /// Feeds one event; events of other topics are ignored.
    public mutating func add(topic: String, data: String, at ms: Int64) {
        guard let input = GazeInput.decode(topic: topic, data: data) else { return }
        add(input, at: ms)
    }

    public mutating func add(_ input: GazeInput, at ms: Int64) {
        lastMs = max(lastMs, ms)
        switch input {
        case .sample(let frame):
            flushDwell(until: ms)
            previous = (ms, frame)
            if frame.screen != nil, firstCalibratedMs == nil { firstCalibratedMs = ms }
            if let point = frame.screen {
                screenExtent = (max(screenExtent.width, point.x), max(screenExtent.height, point.y))
            }
            let direction = frame.faceSeen && frame.screen == nil ? frame.direction : nil
            if let fixation = directionFixations.observe(direction, at: ms) {
                addFixation(startMs: fixation.startMs, milliseconds: fixation.durationMilliseconds, calibrated: false)
            }
        case .fixation(let milliseconds):
            addFixation(startMs: ms - Int64(milliseconds.rounded()), milliseconds: milliseconds, calibrated: true)
        case .blink:
            whole.blinks += 1
            phases[phases.count - 1].blinks += 1
        case .away(let started):
            flushDwell(until: ms)
            away = started
        case .monitors(let width, let height):
            monitor = (width, height)
        case .calibrationCollected:
            calibrationTargetsCollected += 1
        case .phase(let name):
            flushDwell(until: ms)
            phases[phases.count - 1].endMs = ms
            phases.append(GazeScope(name: name, startMs: ms))
        case .interviewStarted:
            break
        }
    }

    /// Closes the interview at `ms`: the last sample's dwell and the open phase end there.
    public mutating func finish(at ms: Int64) {
        flushDwell(until: ms)
        previous = nil
        if let fixation = directionFixations.finish() {
            addFixation(startMs: fixation.startMs, milliseconds: fixation.durationMilliseconds, calibrated: false)
        }
        lastMs = max(lastMs, ms)
        whole.endMs = ms
        if phases[phases.count - 1].endMs == nil { phases[phases.count - 1].endMs = ms }
    }

    /// The phases worth showing: the time before the first phase only when it saw any gaze.
    public var shownPhases: [GazeScope] {
        phases.enumerated().filter { index, scope in
            index > 0 || phases.count == 1 || scope.observedMilliseconds + scope.noFaceMilliseconds > 0
        }.map(\.element)
    }

    /// Counts the previous sample's gaze from its time up to `ms` (capped), into the
    /// phase it was seen in, and moves it on to `ms`.
    private mutating func flushDwell(until ms: Int64) {
        guard let sample = previous else { return }
        let milliseconds = min(Double(ms - sample.ms), Self.maximumDwellMilliseconds)
        if milliseconds > 0 {
            whole.addDwell(sample.frame, milliseconds: milliseconds, away: away)
            phases[phases.count - 1].addDwell(sample.frame, milliseconds: milliseconds, away: away)
        }
        previous = (max(ms, sample.ms), sample.frame)
        if Double(ms - sample.ms) > Self.maximumDwellMilliseconds { previous = nil }
    }

    private mutating func addFixation(startMs: Int64, milliseconds: Double, calibrated: Bool) {
        whole.addFixation(startMs: startMs, milliseconds: milliseconds, calibrated: calibrated)
        phases[phases.count - 1].addFixation(startMs: startMs, milliseconds: milliseconds, calibrated: calibrated)
    }
}
