/// No face in the camera's frames (`gaze.sample` with `faces` 0) for at least
/// `min_s`. The evidence is the frames without a face. A camera that stops
/// seeing (the gaze plugin degraded or gone) ends it: not observed is not absent.
struct FaceAbsent: Condition {
    static let kind = "face_absent"
    static let summary = "gaze.sample frames with no face for min_s"
    static let parameters = [CommonParameters.minimumSeconds(default: 5, "an absence")]

    let topics = ["gaze.sample", SourceWatch.topic]
    private var frames: FaceFrames

    init(rule: GuidelineRule) { frames = FaceFrames(minimum: rule.milliseconds("min_s")) { faces in faces == 0 } }

    mutating func observe(_ event: Observed) -> [Finding] { frames.observe(event) { _, s in "no face in view for \(s.seconds) s" } }
    mutating func advance(to now: Timestamp) -> [Finding] { frames.advance(to: now) { _, s in "no face in view for \(s.seconds) s" } }
}

/// More than `max_faces` faces in the frames for at least `min_s`.
struct MultipleFaces: Condition {
    static let kind = "multiple_faces"
    static let summary = "gaze.sample frames with more than max_faces faces for min_s"
    static let parameters = [
        CommonParameters.minimumSeconds(default: 2, "the extra faces"),
        ConditionParameter(name: "max_faces", schema: ["type": "integer", "minimum": 1, "maximum": 10, "default": 1,
                                                       "description": "Faces allowed in view."], stricter: .lower),
    ]

    let topics = ["gaze.sample", SourceWatch.topic]
    private var frames: FaceFrames

    init(rule: GuidelineRule) {
        let allowed = Int(rule.number("max_faces"))
        frames = FaceFrames(minimum: rule.milliseconds("min_s")) { faces in faces > allowed }
    }

    mutating func observe(_ event: Observed) -> [Finding] { frames.observe(event, describe: Self.describe) }
    mutating func advance(to now: Timestamp) -> [Finding] { frames.advance(to: now, describe: Self.describe) }

    static func describe(_ most: Int, _ seconds: Double) -> String { "up to \(most) faces in view for \(seconds.seconds) s" }
}

/// The frames of one camera, each with or without the finding, as one episode.
struct FaceFrames: Sendable {
    private var episode: Episode
    private var source = SourceWatch()
    private let matches: @Sendable (Int) -> Bool
    /// The most faces seen in the running episode, for its message.
    private var most = 0

    init(minimum: Int64, matches: @escaping @Sendable (Int) -> Bool) {
        episode = Episode(minimum: minimum)
        self.matches = matches
    }

    mutating func observe(_ event: Observed, describe: (Int, Double) -> String) -> [Finding] {
        let most = self.most
        let words = { (seconds: Double) in describe(most, seconds) }
        if source.lost(event) { return episode.release(at: event.time, seq: nil, describe: words) }
        guard event.topic == "gaze.sample", let faces = event.data["faces"]?.intValue else { return [] }
        source.saw(event)
        guard matches(faces) else {
            self.most = 0
            return episode.release(at: event.time, seq: nil, describe: words)
        }
        self.most = max(most, faces)
        let now = self.most
        return episode.hold(at: event.time, seq: event.seq) { describe(now, $0) }
    }

    mutating func advance(to now: Timestamp, describe: (Int, Double) -> String) -> [Finding] {
        let most = self.most
        return episode.advance(to: now) { describe(most, $0) }
    }
}
