import GazeVision
import ProctorJSON
import Synchronization

/// Turns each frame into the plugin's signals: a throttled `gaze.sample`,
/// and `gaze.blink`, `gaze.eyes_closed`, `face.count`, `gaze.away`, `gaze.fixation` and
/// `gaze.calibration` when they happen. Runs on the processing thread (or
/// the replay's); the calibration is shared with the control thread.
final class GazeEngine: @unchecked Sendable {
    typealias Emit = (_ topic: String, _ data: JSONValue) -> Void

    private let settings: GazeSettings
    /// Made by `loadTracker`, not in init: dlib's landmark model takes a second
    /// or more to read, and the plugin reports itself started without waiting
    /// for it. Set before the first frame reaches `process` (by the capture
    /// thread, which hands frames on under the slot's lock, or by `process`
    /// itself in a replay), then used by that one thread.
    private var tracker: VisionTracker?
    private let emit: Emit
    let calibration: Mutex<CalibrationSession>
    let heatmap = Mutex<Heatmap?>(nil)
    let stats = Mutex<(processed: Int, droppedFrames: Int64, lastSample: Double)>((0, 0, -.infinity))
    private var faces: FaceCountWatcher
    private var closures: EyeClosureDetector
    private var away: AwayDetector
    private var headAndEyes: HeadAndEyes
    private var fixations: FixationDetector
    private let clock: @Sendable () -> Double

    init(settings: GazeSettings, calibration: CalibrationSession = CalibrationSession(),
         clock: @escaping @Sendable () -> Double, emit: @escaping Emit) {
        self.settings = settings
        self.emit = emit
        self.clock = clock
        self.calibration = Mutex(calibration)
        faces = FaceCountWatcher(stableFrames: settings.faceStableFrames)
        closures = EyeClosureDetector(blinkMinimumMilliseconds: settings.closure.blinkMinimumMilliseconds,
                                      closedMinimumMilliseconds: settings.closure.closedMinimumMilliseconds,
                                      reopenMilliseconds: settings.closure.reopenMilliseconds)
        away = AwayDetector(minimumAwayMilliseconds: settings.away.minimumMilliseconds,
                            minimumBackMilliseconds: settings.away.backMilliseconds, minimumConfidence: settings.away.minimumConfidence)
        headAndEyes = HeadAndEyes(limits: .init(
            yawDegrees: settings.away.yawDegrees, pitchDegrees: settings.away.pitchDegrees,
            degreesPerRatio: settings.away.eyeDegreesPerRatio, learnMilliseconds: settings.away.learnMilliseconds,
            neutralWindowMilliseconds: settings.away.neutralWindowMilliseconds))
        fixations = FixationDetector(maximumDispersion: settings.fixationDispersion,
                                     minimumDurationMilliseconds: settings.fixationMinimumMilliseconds)
    }

    /// Reads the landmark model and the face detector, once.
    @discardableResult
    func loadTracker() throws -> VisionTracker {
        if let tracker { return tracker }
        let loaded = try VisionTracker(
            landmarkModel: settings.landmarkModel, landmarkCache: settings.landmarkCacheDirectory,
            faceDetectorModel: settings.faceDetectorModel,
            faceCascade: settings.faceCascade, mirrored: settings.mirrored, redetectInterval: settings.redetectInterval)
        tracker = loaded
        return loaded
    }

    /// Starts over, as when the source changes.
    func reset() { tracker?.reset() }

    func process(_ frame: Frame, droppedBefore: Int64 = 0) throws {
        let result = try loadTracker().process(frame)
        let time = frame.timestampMilliseconds
        let features = GazeEngine.features(result, width: Double(frame.width), height: Double(frame.height))

        // Calibration collects on the monotonic clock the page's requests use.
        let collected = calibration.withLock { session -> ((index: Int, samples: Int)?, GazeMapping?, CalibrationSession.Screen?, Int) in
            (session.observe(features, now: clock()), session.mapping, session.screen, session.run)
        }
        if let done = collected.0 {
            emit("gaze.calibration", ["phase": "collected", "run": .number(Double(collected.3)), "index": .number(Double(done.index)),
                                      "samples": .number(Double(done.samples))])
        }
        let screenPoint = features.flatMap { collected.1?.predict($0) }
        if let point = screenPoint, let screen = collected.2 {
            heatmap.withLock { map in
                // A calibration on another screen size starts a new map: cells are fractions of the screen.
                if map == nil || map!.screen != (screen.width, screen.height) { map = Heatmap(screen: (screen.width, screen.height)) }
                map!.add(x: point.x, y: point.y)
            }
        }

        if let change = faces.observe(Int(result.face_count)) {
            var data: JSONObject = ["count": .number(Double(change.count)), "frame": .number(Double(frame.index))]
            data["previous"] = change.previous.map { .number(Double($0)) } ?? .null
            data["bucket"] = .string(change.count == 0 ? "none" : change.count == 1 ? "one" : "several")
            emit("face.count", .object(data))
        }
        let bothClosed = result.face_found == 1 && result.left.closed == 1 && result.right.closed == 1
        let oneClosed = result.face_found == 1 && result.left.closed != result.right.closed
        switch closures.observe(closed: bothClosed, oneShut: oneClosed, frame: frame.index, time: time) {
        case .blink(let start, let duration)?:
            emit("gaze.blink", ["frame": .number(Double(start)), "duration_ms": .number(duration.rounded())])
        case .closedStarted(let start, let at)?:
            emit("gaze.eyes_closed", ["state": "started", "frame": .number(Double(start)), "t_ms": .number(at.rounded())])
        case .closedEnded(let start, let at, let duration)?:
            emit("gaze.eyes_closed", ["state": "ended", "frame": .number(Double(start)), "t_ms": .number(at.rounded()),
                                      "duration_ms": .number(duration.rounded())])
        case nil:
            break
        }
        let reading = awayReading(result, screenPoint: screenPoint, screen: collected.2, time: time)
        let direction = reading.direction
        for event in away.observe(result.face_found == 1 ? direction : nil, at: time, basis: reading.basis,
                                  evidence: Self.evidence(reading, result)) {
            emit("gaze.away", Self.json(event))
        }
        let fixationPoint = screenPoint.flatMap { point in direction == nil ? point : nil }
        if let fixation = fixations.observe(fixationPoint, at: time) {
            emit("gaze.fixation", ["x": .number(fixation.x.rounded()), "y": .number(fixation.y.rounded()),
                                   "duration_ms": .number(fixation.durationMilliseconds.rounded()),
                                   "samples": .number(Double(fixation.samples))])
        }

        let shouldSample = stats.withLock { stats in
            stats.processed += 1
            stats.droppedFrames += droppedBefore
            let interval = settings.sampleRateHz > 0 ? 1000 / settings.sampleRateHz : 0
            // A clock that went backwards (a looped file) starts the spacing afresh.
            guard time - stats.lastSample >= interval * 0.9 || time < stats.lastSample else { return false }
            stats.lastSample = time
            return true
        }
        if shouldSample {
            emit("gaze.sample", GazeSample.json(result, frame: frame, blink: closures.isClosed, screen: screenPoint, dropped: droppedBefore))
        }
    }

    /// Where the subject looks when not at the screen: from the calibrated
    /// point when there is one, else from head pose and the eyes in the head
    /// against the person's neutral (HeadAndEyes).
    private func awayReading(_ result: gaze_result, screenPoint: (x: Double, y: Double)?, screen: CalibrationSession.Screen?,
                             time: Double) -> HeadAndEyes.Reading
    {
        let limits = settings.away
        if let point = screenPoint, let screen {
            let m = limits.screenMargin
            // Full strength a tenth of the screen's width beyond the margin.
            let scale = max(1, screen.width / 10)
            let beyond: [(GazeDirection, Double)] = [(.left, -m - point.x), (.right, point.x - screen.width - m),
                                                     (.up, -m - point.y), (.down, point.y - screen.height - m)]
            guard let (direction, excess) = beyond.max(by: { $0.1 < $1.1 }), excess > 0 else {
                return HeadAndEyes.Reading(direction: nil, basis: "calibrated")
            }
            return HeadAndEyes.Reading(direction: direction, basis: "calibrated", strength: min(1, excess / scale))
        }
        guard result.face_found == 1, result.head_pose_found == 1 else { return HeadAndEyes.Reading(direction: nil, basis: "head_pose") }
        // The eyes count when both have a pupil and neither is shut (a closing lid moves the pupil down).
        let eyes = Self.eyesUsable(result)
        // Positive yaw: the subject turns to their left; the screen is then on their right.
        let seen = HeadAndEyes.Observation(
            yaw: Double(result.yaw), pitch: Double(result.pitch),
            horizontal: eyes ? Double(result.horizontal_ratio) : nil, vertical: eyes ? Double(result.vertical_ratio) : nil,
            roll: Double(result.roll))
        return headAndEyes.observe(seen, at: time)
    }

    static func eyesUsable(_ result: gaze_result) -> Bool {
        result.left.pupil_found == 1 && result.right.pupil_found == 1 && result.left.closed == 0 && result.right.closed == 0
            && result.horizontal_ratio >= 0
    }

    /// How sure one frame is that the subject looks away (0..1): how far
    /// beyond the limit (the reading's strength), times how well the eyes
    /// that went into it were seen (0.5 + 0.5 x the pupils' quality), or
    /// 0.7 when the head alone judged it (the eyes might have been turned
    /// back toward the screen).
    static func evidence(_ reading: HeadAndEyes.Reading, _ result: gaze_result) -> Double {
        let quality = Double(result.left.pupil_quality + result.right.pupil_quality) / 2
        let seen = reading.basis == "head_pose" || !eyesUsable(result) ? 0.7 : 0.5 + 0.5 * min(1, max(0, quality))
        return reading.strength * seen
    }

    static func features(_ result: gaze_result, width: Double, height: Double) -> GazeFeatures? {
        guard result.face_found == 1, result.head_pose_found == 1, result.left.pupil_found == 1 || result.right.pupil_found == 1,
              result.left.closed == 0 || result.right.closed == 0
        else { return nil }
        let face = result.face
        return GazeFeatures(
            horizontal: Double(result.horizontal_ratio), vertical: Double(result.vertical_ratio),
            yaw: Double(result.yaw), pitch: Double(result.pitch), roll: Double(result.roll),
            faceX: Double(face.x + face.width / 2) / width, faceY: Double(face.y + face.height / 2) / height,
            faceScale: Double(face.width) / width)
    }

    static func json(_ event: AwayDetector.Event) -> JSONValue {
        switch event {
        case .started(let direction, let at, let basis, let confidence):
            return ["state": "started", "direction": .string(direction.rawValue), "t_ms": .number(at.rounded()), "basis": .string(basis),
                    "confidence": .number((confidence * 100).rounded() / 100)]
        case .ended(let direction, let duration, let at, let basis, let confidence):
            return ["state": "ended", "direction": .string(direction.rawValue), "duration_ms": .number(duration.rounded()),
                    "t_ms": .number(at.rounded()), "basis": .string(basis), "confidence": .number((confidence * 100).rounded() / 100)]
        }
    }
}
