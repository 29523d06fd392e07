import Foundation
import GazeVision
import PluginKit
import ProctorJSON

/// The gaze plugin: the webcam (or a recorded file) through the native
/// vision core, turned into gaze signals, with a calibration to screen
/// coordinates driven by the call page's requests.
public final class GazePlugin: FileSourcePlugin {
    public static let description = PluginDescription(
        id: "gaze", name: "Gaze", version: "1.0.0",
        summary: "Watches the webcam: faces, head pose, pupils, blinks, and where on the screen the interviewee looks.",
        topics: ["gaze.sample", "gaze.blink", "gaze.eyes_closed", "gaze.fixation", "gaze.away", "gaze.calibration", "face.count"],
        configSchema: GazeSettings.schema,
        capabilities: ["requests"])

    private let host: PluginHost
    private let settings: GazeSettings
    private let engine: GazeEngine
    private var pipeline: CapturePipeline?

    public init(host: PluginHost, config: JSONValue) throws {
        gaze_vision_set_threads(1)  // the plugin owns its threads; OpenCV gets none of its own
        self.host = host
        settings = try GazeSettings(config, dataDirectory: host.paths?.data, stateDirectory: host.paths?.state)
        if let note = settings.detectorNote { host.log(.warning, note) }
        engine = GazeEngine(settings: settings, clock: Monotonic.milliseconds) { [host] topic, data in
            host.emit(topic, data)
        }
    }

    public func start() throws {
        let pipeline = CapturePipeline(settings: settings, engine: engine, host: host)
        pipeline.start()
        self.pipeline = pipeline
    }

    public func stop() {
        pipeline?.stop()
        pipeline = nil
    }

    /// Every frame of a recorded file (every `every`th), as fast as it goes;
    /// `"flip": true` mirrors each frame first. Signals carry over from one
    /// replay to the next on the same instance, as from one clip to the next;
    /// `"start_ms"` is the time the file's first frame is given (default 0),
    /// so clips played back to back keep one clock, as a camera would, and
    /// what is learnt over seconds (the neutral gaze) is learnt across them.
    public func replay(path: String, options: JSONValue) throws {
        let every = max(1, options["every"]?.intValue ?? 1)
        let flip = options["flip"]?.boolValue ?? false
        let start = options["start_ms"]?.doubleValue ?? 0
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw PluginError("\(path): no such file or folder")
        }
        let source = try FrameSource(isDirectory.boolValue ? .imageFolder(path) : .video(path), flip: flip)
        while case .frame(var frame, _) = try source.read() {
            guard frame.index % Int64(every) == 0 else { continue }
            frame.timestampMilliseconds += start
            try engine.process(frame)
        }
    }

    public func handle(method: String, params: JSONValue?) throws -> JSONValue {
        let params = params ?? [:]
        switch method {
        case "cameras.list": return try CameraList.json()
        case "status": return status
        case "heatmap.get":
            guard let heatmap = engine.heatmap.withLock({ $0?.json }) else {
                throw PluginRequestError(code: "not_calibrated", message: "no calibrated gaze yet: calibrate first")
            }
            return heatmap
        default:
            return try CalibrationRequests(engine: engine).handle(method: method, params: params)
        }
    }

    private var status: JSONValue {
        let stats = engine.stats.withLock { $0 }
        return ["processed_frames": .number(Double(stats.processed)), "dropped_frames": .number(Double(stats.droppedFrames)),
                "calibrated": .bool(engine.calibration.withLock { $0.mapping != nil })]
    }
}

@_cdecl("proctor_plugin_entry_v1")
public func proctorPluginEntry(_ major: UInt32, _ minor: UInt32) -> UnsafeRawPointer? {
    PluginExport.entry(GazePlugin.self, hostMajor: major, hostMinor: minor)
}

/// Milliseconds on CLOCK_MONOTONIC, the clock calibration windows use.
enum Monotonic {
    @Sendable static func milliseconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) * 1000 + Double(now.tv_nsec) / 1e6
    }
}
