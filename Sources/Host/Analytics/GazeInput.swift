import ProctorJSON

/// What the gaze analytics read from one event, decoded once from its JSON
/// data (docs/topics.json). The live subscriber and the report feed the same
/// decoded inputs to the same accumulator, so their figures agree.
public enum GazeInput: Sendable, Equatable {
    /// One processed camera frame.
    case sample(GazeFrame)
    /// The plugin's calibrated fixation, sent when it ended.
    case fixation(durationMilliseconds: Double)
    case blink
    case away(started: Bool)
    /// The primary monitor's size in pixels (the first monitor when none is primary).
    case monitors(width: Double, height: Double)
    case calibrationCollected
    /// A paired page marked the start of a phase (`interview.phase`).
    case phase(name: String)
    case interviewStarted

    /// The input an event carries, or nil for topics the analytics ignore.
    public static func decode(topic: String, data: String) -> GazeInput? {
        switch topic {
        case "gaze.sample", "gaze.fixation", "gaze.blink", "gaze.away", "gaze.calibration", "screen.monitors", "interview.phase",
             "interview.started":
            break
        default:
            return nil
        }
        guard let json = try? JSONParser.parse(data) else { return nil }
        switch topic {
        case "gaze.sample": return .sample(GazeFrame(json))
        case "gaze.fixation": return json["duration_ms"]?.doubleValue.map { .fixation(durationMilliseconds: $0) }
        case "gaze.blink": return .blink
        case "gaze.away": return json["state"]?.stringValue.map { .away(started: $0 == "started") }
        case "gaze.calibration": return json["phase"] == "collected" ? .calibrationCollected : nil
        case "screen.monitors":
            let monitors = json["monitors"]?.arrayValue ?? []
            guard let main = monitors.first(where: { $0["primary"] == .bool(true) }) ?? monitors.first,
                  let width = main["width"]?.doubleValue, let height = main["height"]?.doubleValue, width > 0, height > 0
            else { return nil }
            return .monitors(width: width, height: height)
        case "interview.phase": return json["name"]?.stringValue.map { .phase(name: $0) }
        default: return .interviewStarted
        }
    }
}

/// The parts of a `gaze.sample` the analytics use.
public struct GazeFrame: Sendable, Equatable {
    public var faceSeen: Bool
    /// The calibrated point in CSS pixels, when calibrated.
    public var screen: (x: Double, y: Double)?
    /// Head and eye direction in degrees, x right and y down as seen by the
    /// person, from head pose plus the pupils' place in the eyes: what is
    /// left before calibration. Nil without a head pose.
    public var direction: (x: Double, y: Double)?

    /// Degrees of gaze per unit of the pupil ratio, the gaze plugin's default
    /// (`away.eye_deg_per_ratio`).
    static let eyeDegreesPerRatio = 80.0

    public init(faceSeen: Bool, screen: (x: Double, y: Double)? = nil, direction: (x: Double, y: Double)? = nil) {
        self.faceSeen = faceSeen
        self.screen = screen
        self.direction = direction
    }

    init(_ json: JSONValue) {
        faceSeen = json["face"]?.arrayValue != nil
        if let point = json["screen"]?.arrayValue, point.count == 2, let x = point[0].doubleValue, let y = point[1].doubleValue {
            screen = (x, y)
        }
        if let pose = json["head_pose"], let yaw = pose["yaw"]?.doubleValue, let pitch = pose["pitch"]?.doubleValue {
            // Yaw is positive to the person's left and pitch positive up; the
            // ratio's h is 1 toward the left and v negative up.
            let h = json["ratio"]?["h"]?.doubleValue.map { $0 - 0.5 } ?? 0
            let v = json["ratio"]?["v"]?.doubleValue ?? 0
            direction = (-yaw - h * Self.eyeDegreesPerRatio, -pitch + v * Self.eyeDegreesPerRatio)
        }
    }

    public static func == (a: GazeFrame, b: GazeFrame) -> Bool {
        a.faceSeen == b.faceSeen && a.screen?.x == b.screen?.x && a.screen?.y == b.screen?.y
            && a.direction?.x == b.direction?.x && a.direction?.y == b.direction?.y
    }
}
