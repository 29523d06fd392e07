import Glibc  // cos, sin

/// Looking away before calibration, from head pose and the eyes' position
/// in the head together, against the person's own neutral.
///
/// A head tilted back with the eyes turned down in it still looks at the
/// screen; eyes turned down under a still head do not. So the direction is
/// read from one angle per axis: the head's angle from its neutral plus the
/// eyes' shift from their neutral in degrees (`degreesPerRatio`: a shift of
/// the pupil by the eye's width turns the eye by that many degrees; the eye
/// is ~30 mm wide, the eyeball's radius ~12 mm, and our pupils follow the
/// iris with a gain of ~0.8, which gives ~80).
///
/// The neutral is the median pose and eye position over the first
/// `learnMilliseconds` of frames with a roughly frontal face and both eyes
/// open with pupils, which is when a person starting an interview looks at
/// the screen; both the head pose solver (a generic face) and the pupil's
/// height against the eye corners (anatomy) have a per-person offset that it
/// removes. It then keeps following the person: every
/// `neutralSampleMilliseconds` a frame that qualifies and reads at the screen
/// (within the limits) joins a window of the last `neutralWindowMilliseconds`,
/// and the neutral is that window's median. What a person looks at most is
/// the screen, so a neutral learnt while the eyes still roamed (on
/// WolfgangLanger_Pexels.mp4 the first 5 s of open eyes split between the
/// lens and a point 15 degrees to her left, where she then looked for most
/// of the clip) settles where the gaze rests; a look away never teaches it
/// (its frames are beyond the limit), and it stays within
/// `neutralDriftDegrees` of the neutral first learnt.
///
/// The head's turn from the neutral is read in the neutral's own axes: yaw
/// and pitch come in the camera's, so with a head (or a camera) rolled by r
/// throughout, a nod leaks sin(r) of itself into the yaw (on
/// WolfgangLanger_Pexels.mp4 rolled by -20 degrees her head rose ~3 degrees
/// into a look at the limit and read 2-4 degrees further left: a false
/// "left"). Each frame's own roll is not used: a head tilted about its own
/// axis does not move the nose, and turning by it read a 10 degree turn from
/// a tilt with the eyes shut.
///
/// Until it is learnt only the head counts, against 0 and with
/// `unlearntMarginDegrees` more room: that offset is of the same order (on
/// the evaluation clip WolfgangLanger_Pexels.mp4 the head read 18 degrees up
/// while the eyes were on the lens, and 22-24 up rolled by 10-20 degrees,
/// which fired "up" twice before the neutral was learnt).
struct HeadAndEyes {
    struct Observation: Equatable {
        var yaw: Double          // degrees, positive = the subject turns to their left
        var pitch: Double        // degrees, positive = up
        var horizontal: Double?  // the pupils' ratio along the eye, 0 = subject's right; nil: no usable eyes
        var vertical: Double?    // below the corner line over the eye width, down > 0
        var roll: Double = 0     // degrees, positive = the head tilts toward the subject's left shoulder
    }

    /// One frame's reading: the direction (nil: at the screen), what it was
    /// read from, and how far beyond the limit it lies: 0 at the limit, 1 at
    /// twice the limit or more (the base of `gaze.away`'s confidence).
    struct Reading: Equatable {
        var direction: GazeDirection?
        var basis: String
        var strength: Double = 0
    }

    struct Neutral: Equatable {
        var yaw, pitch, horizontal, vertical: Double
        var roll = 0.0
    }

    struct Limits {
        var yawDegrees = 25.0
        var pitchDegrees = 20.0
        var degreesPerRatio = 80.0
        var learnMilliseconds = 5000.0
        /// Frames further off than this (absolute) do not teach the neutral;
    /// it needs at least 30 frames.
        var frontalYaw = 25.0, frontalPitch = 30.0
        /// Extra room for the head alone while the neutral is unknown.
        var unlearntMarginDegrees = 15.0
        /// The neutral follows the median of this long of frames at the screen (0: fixed once learnt).
        var neutralWindowMilliseconds = 30000.0
        var neutralSampleMilliseconds = 100.0
        /// How far the followed neutral may move from the one first learnt, per axis (the eyes' share in degrees too).
        var neutralDriftDegrees = 10.0
    }

    let limits: Limits
    private(set) var neutral: Neutral?
    private var learnt: Neutral?
    /// The frames that teach the neutral: all of them while it is learnt, then one every `neutralSampleMilliseconds`.
    private var teaching: [(time: Double, frame: Observation)] = []

    init(limits: Limits = Limits()) { self.limits = limits }

    /// The direction seen in this frame and its basis: "head_pose" while the
    /// neutral is being learnt, then "head_and_eyes".
    mutating func observe(_ o: Observation, at time: Double) -> Reading {
        if neutral == nil { learn(o, at: time) }
        guard let n = neutral else {
            var wider = limits
            wider.yawDegrees += limits.unlearntMarginDegrees
            wider.pitchDegrees += limits.unlearntMarginDegrees
            return Self.reading(yaw: o.yaw, pitch: o.pitch, wider, basis: "head_pose")
        }
        var (yaw, pitch) = Self.unrolled(yaw: o.yaw - n.yaw, pitch: o.pitch - n.pitch, by: n.roll)
        if let h = o.horizontal, let v = o.vertical {
            yaw += (h - n.horizontal) * limits.degreesPerRatio
            pitch -= (v - n.vertical) * limits.degreesPerRatio  // eyes down in the head: v grows
        }
        let reading = Self.reading(yaw: yaw, pitch: pitch, limits, basis: "head_and_eyes")
        if reading.direction == nil { follow(o, at: time) }
        return reading
    }

    /// Frames that may teach the neutral: both eyes with pupils, the head roughly frontal.
    private func teaches(_ o: Observation) -> Bool {
        o.horizontal != nil && o.vertical != nil && abs(o.yaw) < limits.frontalYaw && abs(o.pitch) < limits.frontalPitch
    }

    private mutating func learn(_ o: Observation, at time: Double) {
        guard teaches(o) else { return }
        teaching.append((time, o))
        guard time - teaching[0].time >= limits.learnMilliseconds, teaching.count >= 30 else { return }
        neutral = Self.median(of: teaching.map(\.frame))
        learnt = neutral
        // They seed the window the neutral then follows, thinned to its spacing.
        var kept: [(time: Double, frame: Observation)] = []
        for taught in teaching where taught.time - (kept.last?.time ?? -.infinity) >= limits.neutralSampleMilliseconds {
            kept.append(taught)
        }
        teaching = kept
    }

    private mutating func follow(_ o: Observation, at time: Double) {
        guard limits.neutralWindowMilliseconds > 0, teaches(o),
              time - (teaching.last?.time ?? -.infinity) >= limits.neutralSampleMilliseconds else { return }
        teaching.append((time, o))
        teaching.removeAll { time - $0.time > limits.neutralWindowMilliseconds }
        guard let learnt else { return }
        // Bounded, so a person who looks at notes more than at the screen cannot carry the neutral to them.
        let followed = Self.median(of: teaching.map(\.frame)), d = limits.neutralDriftDegrees, r = d / limits.degreesPerRatio
        func bound(_ value: Double, _ around: Double, _ by: Double) -> Double { min(around + by, max(around - by, value)) }
        neutral = Neutral(yaw: bound(followed.yaw, learnt.yaw, d), pitch: bound(followed.pitch, learnt.pitch, d),
                          horizontal: bound(followed.horizontal, learnt.horizontal, r), vertical: bound(followed.vertical, learnt.vertical, r),
                          roll: bound(followed.roll, learnt.roll, d))
    }

    private static func median(of frames: [Observation]) -> Neutral {
        func median(_ values: [Double]) -> Double {
            let sorted = values.sorted()
            return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        }
        return Neutral(yaw: median(frames.map(\.yaw)), pitch: median(frames.map(\.pitch)),
                       horizontal: median(frames.compactMap(\.horizontal)), vertical: median(frames.compactMap(\.vertical)),
                       roll: median(frames.map(\.roll)))
    }

    /// A turn read in the camera's axes, in those of a head rolled by `roll` degrees.
    static func unrolled(yaw: Double, pitch: Double, by roll: Double) -> (yaw: Double, pitch: Double) {
        let r = roll * .pi / 180
        return (cos(r) * yaw - sin(r) * pitch, sin(r) * yaw + cos(r) * pitch)
    }

    private static func reading(yaw: Double, pitch: Double, _ limits: Limits, basis: String) -> Reading {
        // The larger excess wins, so a diagonal look is named by its main axis.
        let sideways = abs(yaw) - limits.yawDegrees, vertically = abs(pitch) - limits.pitchDegrees
        guard sideways > 0 || vertically > 0 else { return Reading(direction: nil, basis: basis) }
        if sideways >= vertically {
            return Reading(direction: yaw > 0 ? .left : .right, basis: basis, strength: min(1, sideways / limits.yawDegrees))
        }
        return Reading(direction: pitch > 0 ? .up : .down, basis: basis, strength: min(1, vertically / limits.pitchDegrees))
    }
}
