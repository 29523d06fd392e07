import Foundation
import ProctorJSON
import ProctorTestSupport
import Testing

/// The gaze plugin on real faces: clips and stills from exact PyPI
/// versions, and a pupil reference the plugin did not produce (MediaPipe's
/// iris landmarks, Tests/Fixtures/pupil-reference, made by
/// Tests/Tools/make-pupil-reference.py).
@Suite(.serialized) struct RealFaceTests {
    /// Every frame sampled, so each can be checked.
    static let everyFrame: JSONValue = ["sample_rate_hz": 0]

    struct Reference {
        struct Eye { let pupil: [Double]; let outer: [Double]; let inner: [Double]; let open: Bool }
        let frames: [Int: (left: Eye, right: Eye)]

        init() throws {
            let text = try String(contentsOfFile: TestBuild.repositoryRoot + "/Tests/Fixtures/pupil-reference/single_face.json", encoding: .utf8)
            let json = try JSONParser.parse(text)
            func eye(_ value: JSONValue?) -> Eye {
                let numbers = { (key: String) in value?[key]?.arrayValue?.compactMap(\.doubleValue) ?? [] }
                return Eye(pupil: numbers("pupil"), outer: numbers("outer_corner"), inner: numbers("inner_corner"), open: value?["open"] == true)
            }
            frames = Dictionary(uniqueKeysWithValues: (json["frames"]?.arrayValue ?? []).compactMap { frame in
                frame["frame"]?.intValue.map { ($0, (eye(frame["left"]), eye(frame["right"]))) }
            })
        }
    }

    func samples(_ replay: GazeReplay) -> [Int: JSONValue] {
        Dictionary(uniqueKeysWithValues: replay.data("gaze.sample").compactMap { s in s["frame"]?.intValue.map { ($0, s) } })
    }

    @Test func aFaceInEveryFrameAndPupilsInsideTheEyesOnEveryOpenEyeFrame() throws {
        let replay = try GazeReplay(config: Self.everyFrame)
        try replay.replay(GazeFixtures.file(GazeFixtures.singleFace))
        let reference = try Reference()
        let byFrame = samples(replay)
        #expect(byFrame.count == 72)
        for frame in 0..<72 {
            let sample = try #require(byFrame[frame], "frame \(frame) has no sample")
            #expect(sample["faces"] == 1 && sample["face"] != .null, "frame \(frame): \(sample["faces"] ?? nil)")
            let ref = try #require(reference.frames[frame])
            for (name, refEye) in [("left", ref.left), ("right", ref.right)] where refEye.open {
                let pupil = sample["pupils"]?[name]?.arrayValue?.compactMap(\.doubleValue) ?? []
                #expect(pupil.count == 2, "frame \(frame): no \(name) pupil on an open eye")
                guard pupil.count == 2 else { continue }
                // Inside the eye: between its corners along x, and within a third of its width of the corner line.
                let (a, b) = (refEye.outer, refEye.inner)
                #expect(pupil[0] >= min(a[0], b[0]) && pupil[0] <= max(a[0], b[0]), "frame \(frame) \(name) x \(pupil[0])")
                let width = abs(a[0] - b[0])
                #expect(abs(pupil[1] - (a[1] + b[1]) / 2) < width / 3, "frame \(frame) \(name) y \(pupil[1])")
            }
        }
    }

    @Test func pupilsAgreeWithTheIndependentReference() throws {
        let replay = try GazeReplay(config: Self.everyFrame)
        try replay.replay(GazeFixtures.file(GazeFixtures.singleFace))
        let reference = try Reference()
        let byFrame = samples(replay)
        var within = 0, openFrames = 0
        for (frame, ref) in reference.frames where ref.left.open && ref.right.open {
            openFrames += 1
            guard let sample = byFrame[frame],
                  let left = sample["pupils"]?["left"]?.arrayValue?.compactMap(\.doubleValue), left.count == 2,
                  let right = sample["pupils"]?["right"]?.arrayValue?.compactMap(\.doubleValue), right.count == 2
            else { continue }
            let iod = hypot(ref.left.pupil[0] - ref.right.pupil[0], ref.left.pupil[1] - ref.right.pupil[1])
            let worse = max(hypot(left[0] - ref.left.pupil[0], left[1] - ref.left.pupil[1]),
                            hypot(right[0] - ref.right.pupil[0], right[1] - ref.right.pupil[1]))
            if worse / iod <= 0.05 { within += 1 }
        }
        #expect(openFrames >= 60)
        #expect(Double(within) >= 0.9 * Double(openFrames), "\(within) of \(openFrames) open-eye frames within 0.05 IOD")
    }

    @Test func blinksAreReportedWhereTheEyesClose() throws {
        let replay = try GazeReplay(config: Self.everyFrame)
        try replay.replay(GazeFixtures.file(GazeFixtures.singleFace))
        let reference = try Reference()
        let closedFrames = reference.frames.filter { !$0.value.left.open && !$0.value.right.open }.map(\.key).sorted()
        #expect(!closedFrames.isEmpty, "the reference has a blink in this clip")
        let blinks = replay.data("gaze.blink")
        #expect(blinks.count == 1, "\(blinks)")
        let start = blinks.first?["frame"]?.intValue ?? -1
        #expect(abs(start - (closedFrames.first ?? 0)) <= 1, "blink at \(start), eyes closed in the reference at \(closedFrames)")
        let duration = blinks.first?["duration_ms"]?.doubleValue ?? 0
        #expect(duration >= 60 && duration <= 250, "a blink lasts a fraction of a second: \(duration) ms")
    }

    /// Issue 11: the 4.3 s closure at the start of the second clip was one gaze.blink.
    @Test func aLongClosureIsEyesClosedAndNeverABlink() throws {
        let replay = try GazeReplay(config: Self.everyFrame)
        try replay.replay(GazeFixtures.file(GazeFixtures.secondFace))
        let closures = replay.data("gaze.eyes_closed")
        let started = closures.filter { $0["state"]?.stringValue == "started" }
        let ended = closures.filter { $0["state"]?.stringValue == "ended" }
        #expect(started.first?["frame"]?.intValue == 0, "\(closures)")
        let first = ended.first?["duration_ms"]?.doubleValue ?? 0
        #expect(first >= 4000 && first <= 4600, "the opening closure lasts ~4.3 s: \(closures)")
        // The clip ends with the eyes shut for ~1.3 s: started, never ended.
        #expect(started.count == ended.count + 1, "\(closures)")
        let blinks = replay.data("gaze.blink")
        #expect(blinks.allSatisfy { ($0["duration_ms"]?.doubleValue ?? 0) < 400 }, "\(blinks)")
        #expect(!blinks.isEmpty, "the blinks in between are still blinks")
    }

    /// Issue 11: "up" fired on the second clip with the head tilted back (pitch 20-24 degrees) and the
    /// pupils at their usual height; the old pupil rule read "up" on 46 of single_face's 72 frames.
    /// single_face lasts 2.4 s, less than the default 5 s of learning the person's neutral: a 1 s
    /// learning time lets the head-and-eyes rule itself judge most of it.
    @Test func noLookingAwayOnFrontalClips() throws {
        let single = try GazeReplay(config: ["sample_rate_hz": 0, "away": ["learn_ms": 1000]])
        try single.replay(GazeFixtures.file(GazeFixtures.singleFace))
        #expect(single.data("gaze.away").isEmpty, "\(single.data("gaze.away"))")
        let second = try GazeReplay(config: Self.everyFrame)
        try second.replay(GazeFixtures.file(GazeFixtures.secondFace))
        // Nor "left": her eyes rest ~15 degrees to her left of the lens for most of the clip, 25-28 degrees with the
        // head from the neutral of her first 5 s of open eyes (three spells, confidence 0.04-0.07, before the
        // neutral followed where the gaze rests and a spell had to reach away.min_confidence).
        #expect(second.data("gaze.away").isEmpty, "\(second.data("gaze.away"))")
    }

    @Test func mirroredInputGivesMirroredLeftAndRight() throws {
        let plain = try GazeReplay(config: Self.everyFrame)
        try plain.replay(GazeFixtures.file(GazeFixtures.singleFace))
        let flipped = try GazeReplay(config: Self.everyFrame)
        try flipped.replay(GazeFixtures.file(GazeFixtures.singleFace), options: ["flip": true])
        let a = samples(plain), b = samples(flipped)
        var compared = 0
        for frame in 0..<72 {
            guard let l = a[frame]?["pupils"]?["left"]?.arrayValue?.compactMap(\.doubleValue), l.count == 2,
                  let r = b[frame]?["pupils"]?["right"]?.arrayValue?.compactMap(\.doubleValue), r.count == 2
            else { continue }
            // The subject's left eye in the plain image is the right one in the mirror: x' = 639 - x.
            #expect(abs((639 - l[0]) - r[0]) < 3 && abs(l[1] - r[1]) < 3, "frame \(frame): \(l) vs \(r)")
            compared += 1
        }
        #expect(compared >= 65)
        let yaw = a[10]?["head_pose"]?["yaw"]?.doubleValue ?? 0, mirroredYaw = b[10]?["head_pose"]?["yaw"]?.doubleValue ?? 0
        #expect(abs(yaw + mirroredYaw) < 4, "a mirrored head turns the other way: \(yaw) vs \(mirroredYaw)")
    }

    @Test func theFaceCountDropsToZeroWhenTheFaceLeavesAndComesBack() throws {
        let replay = try GazeReplay(config: Self.everyFrame)
        try replay.replay(GazeFixtures.file(GazeFixtures.faceNoFace))
        try replay.replay(GazeFixtures.file(GazeFixtures.noFaceFace))
        let counts = replay.data("face.count").compactMap { $0["count"]?.intValue }
        #expect(counts == [1, 0, 1], "face.count events: \(counts)")
        let samples = replay.data("gaze.sample")
        #expect(samples.contains { $0["faces"] == 0 && $0["face"] == .null })
    }

    @Test func stillsWithOneAndSeveralFaces() throws {
        for (file, faces) in [("skimage/data/astronaut.png", 1), ("face_recognition-1.3.0/tests/test_images/obama.jpg", 1),
                              ("feat/tests/data/multi_face.jpg", 5)] {
            let folder = TemporaryDirectory()
            try FileManager.default.copyItem(atPath: GazeFixtures.file(file), toPath: folder.path + "/" + (file as NSString).lastPathComponent)
            let replay = try GazeReplay(config: Self.everyFrame)
            try replay.replay(folder.path)
            #expect(replay.data("gaze.sample").first?["faces"]?.intValue == faces, "\(file)")
        }
    }

    @Test func everySampleMatchesTheDocumentedSchema() throws {
        let schemas = try TopicSchemas.load()
        let replay = try GazeReplay(config: Self.everyFrame)
        try replay.replay(GazeFixtures.file(GazeFixtures.faceNoFace), options: ["every": 3])
        #expect(!replay.events.isEmpty)
        for event in replay.events { #expect(schemas.problems(with: event).isEmpty, "\(schemas.problems(with: event))") }
        let frames = replay.data("gaze.sample").compactMap { $0["frame"]?.intValue }
        #expect(frames.allSatisfy { $0 % 3 == 0 }, "--every 3 processes every third frame")
    }
}
