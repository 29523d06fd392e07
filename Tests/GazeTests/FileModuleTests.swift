import Foundation
import ProctorJSON
import ProctorTestSupport
import Testing

/// Video files and images are decoded by libgaze-file-sources.so, which the
/// gaze plugin loads from beside its own library only when its source is a
/// file or folder (gaze_file_module.h): a child reading a camera must not map
/// OpenCV's videoio and imgcodecs, nor the codec libraries they bring.
@Suite(.serialized) struct FileModuleTests {
    /// Libraries that only decoding files needs.
    static let fileOnly = ["libgaze-file-sources.so", "libopencv_videoio", "libopencv_imgcodecs", "libavcodec", "libgst"]

    /// The plugin child the agent runs for `library`, once it exists.
    func child(of agent: AgentProcess, library: String) async -> Int32? {
        var found: Int32?
        _ = await eventually(timeout: .seconds(30)) {
            found = Processes.children(of: agent.pid).first { Processes.commandLine($0).contains(library) && !Processes.commandLine($0).contains("--describe") }
            return found != nil
        }
        return found
    }

    func startAgent(_ source: String, library: String, in dir: TemporaryDirectory) throws -> AgentProcess {
        var builder = ConfigBuilder()
        builder.plugins.append(["id": "gaze", "library": .string(library), "config": ["source": .string(source), "camera_retry_s": 0.5]])
        let file = builder.write(to: dir)
        return try AgentProcess(arguments: ["run", "--config", file, "--state-dir", dir.path + "/state", "--print-events", "plugin.state"],
                                environment: ["XDG_RUNTIME_DIR": dir.path, "PROCTORD_DATA_DIR": GazeFixtures.dataDirectory])
    }

    func state(_ name: String, reasonContaining text: String? = nil) -> (JSONValue) -> Bool {
        { event in
            let reason = event["data"]?["reason"]?.stringValue ?? ""
            return event["topic"] == "plugin.state" && event["data"]?["state"]?.stringValue == name && text.map { reason.contains($0) } ?? true
        }
    }

    @Test(.enabled(if: !FileManagerProbe.hasVideoDevices(), "this machine has a camera"))
    func aCameraChildMapsNoDecoderAndAFileChildDoes() async throws {
        let dir = TemporaryDirectory()
        let camera = try startAgent("camera", library: TestBuild.plugin("gaze"), in: dir)
        defer { camera.signal(SIGKILL) }
        // The camera was looked for (and is missing here) after the models were loaded.
        #expect(await camera.waitForEvent(timeout: .seconds(60), state("degraded", reasonContaining: "no camera")) != nil, "\(camera.events)")
        let cameraChild = try #require(await child(of: camera, library: "libproctor-gaze.so"))
        let cameraLibraries = Processes.sharedLibraries(cameraChild)
        #expect(Processes.maps(cameraChild).contains("[vdso]") && cameraLibraries.contains { $0.hasPrefix("libopencv_core") },
                "the maps were read to the end: \(cameraLibraries.sorted())")
        for name in Self.fileOnly {
            #expect(!cameraLibraries.contains { $0.hasPrefix(name) }, "the camera's child maps \(name)")
        }

        let fileDir = TemporaryDirectory()
        let file = try startAgent("file:" + GazeFixtures.file(GazeFixtures.singleFace), library: TestBuild.plugin("gaze"), in: fileDir)
        defer { file.signal(SIGKILL) }
        let fileChild = try #require(await child(of: file, library: "libproctor-gaze.so"))
        // The module comes in when the source is opened, after the model is loaded
        // (a "running" state may come before that, as the child starts).
        let loaded = await eventually(timeout: .seconds(60)) { Processes.sharedLibraries(fileChild).contains("libgaze-file-sources.so") }
        let fileLibraries = Processes.sharedLibraries(fileChild)
        #expect(loaded && fileLibraries.contains { $0.hasPrefix("libopencv_videoio") }, "\(fileLibraries.sorted()); \(file.events)")
    }

    /// The plugin's library alone in a directory, without the module beside
    /// it, as an install that lost the file: the file source's error names
    /// the path it looked at.
    @Test func aMissingModuleIsNamedByItsPath() async throws {
        let dir = TemporaryDirectory()
        let library = dir.path + "/libproctor-gaze.so"
        try FileManager.default.copyItem(atPath: TestBuild.plugin("gaze"), toPath: library)
        let agent = try startAgent("file:" + GazeFixtures.file(GazeFixtures.singleFace), library: library, in: dir)
        defer { agent.signal(SIGKILL) }
        let expected = "file sources need \(dir.path)/libgaze-file-sources.so, which cannot be loaded"
        #expect(await agent.waitForEvent(timeout: .seconds(60), state("degraded", reasonContaining: expected)) != nil, "\(agent.events)")
    }
}
