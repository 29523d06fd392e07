import Foundation
import Logging
import ProctorHost
import ProctorJSON
import Synchronization

/// Real faces for the gaze tests, fetched by scripts/fetch-assets.sh from
/// exact PyPI versions checked by sha256 (assets.lock), and the gaze plugin
/// run over them in this process.
public enum GazeFixtures {
    public static var dataDirectory: String { TestBuild.repositoryRoot + "/.data" }

    /// The path of a fetched file, failing with what to run when it is missing.
    public static func file(_ relative: String) throws -> String {
        let path = dataDirectory + "/" + relative
        guard FileManager.default.fileExists(atPath: path) else {
            throw WebSocketTestClient.Failure(description: "\(path) is missing: run scripts/fetch-assets.sh (make test does)")
        }
        return path
    }

    public static let singleFace = "feat/tests/data/single_face.mp4"
    public static let faceNoFace = "feat/tests/data/face_noface.mov"
    public static let noFaceFace = "feat/tests/data/noface_face.mov"
    /// Another person, camera and room (24 frames/s): eyes shut for the first 4.3 s, blinks, shut again at the end.
    public static let secondFace = "feat/tests/data/WolfgangLanger_Pexels.mp4"
}

/// The gaze plugin loaded in this process, replaying files into a list of
/// events.
public final class GazeReplay: @unchecked Sendable {
    private final class Sink: Sendable {
        let events = Mutex<[Event]>([])
    }

    private let instance: PluginInstance
    private let sink = Sink()

    /// `config` is the plugin's config; defaults from its schema fill the rest.
    public init(config: JSONValue = [:]) throws {
        let library = try PluginLibrary.open(path: TestBuild.plugin("gaze"))
        let filled = try JSONSchema(library.manifest.configSchema).applyingDefaults(to: config)
        let sink = self.sink
        var paths = AgentPaths.fromEnvironment()
        paths.dataDirectory = GazeFixtures.dataDirectory
        let output = InProcessOutput(instanceID: "gaze", manifest: library.manifest, bus: EventBus(), logger: .silent) { event in
            sink.events.withLock { $0.append(event) }
        }
        instance = try PluginInstance(library: library, config: JSONWriter.compact(filled), output: output, paths: paths)
    }

    /// Replays a file (or folder) and returns everything emitted so far.
    @discardableResult
    public func replay(_ path: String, options: JSONValue = [:]) throws -> [Event] {
        try instance.replay(path: path, options: JSONWriter.compact(options))
        return events
    }

    public var events: [Event] { sink.events.withLock { $0 } }

    /// The data of every event on `topic`, parsed.
    public func data(_ topic: String) -> [JSONValue] {
        events.filter { $0.topic == topic }.compactMap { try? JSONParser.parse($0.data) }
    }

    public func request(_ method: String, _ params: JSONValue = [:]) throws -> JSONValue {
        try JSONParser.parse(instance.request(JSONWriter.compact(["method": .string(method), "params": params])))
    }
}
