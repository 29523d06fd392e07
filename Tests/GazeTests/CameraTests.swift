import Foundation
import GazeVision
import ProctorJSON
import ProctorTestSupport
import Testing

/// There is no camera on these machines: the V4L2 path must say so clearly.
/// (What can be tested without a device is tested; streaming from a real
/// camera is not.)
@Suite struct CameraTests {
    func open(_ name: String) -> (gaze_status, String) {
        var options = gaze_source_options()
        gaze_source_options_init(&options)
        var error = gaze_error()
        gaze_error_init(&error)
        var source: OpaquePointer?
        let status = gaze_source_open_camera(name, &options, &source, &error)
        if let source { gaze_source_close(source) }
        let message = withUnsafeBytes(of: error.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return (status, message)
    }

    @Test(.enabled(if: !FileManagerProbe.hasVideoDevices(), "a machine with a camera lists it instead"))
    func enumeratingASystemWithoutCamerasGivesAnEmptyList() throws {
        let replay = try GazeReplay()
        #expect(try replay.request("cameras.list")["result"]?["cameras"] == [])
    }

    @Test func aMissingPathANonCameraAndAnUnknownNameAreNamedErrors() throws {
        let (missing, missingMessage) = open("/dev/video99")
        #expect(missing == GAZE_ERR_NOT_FOUND && missingMessage.contains("/dev/video99"))
        let (notCamera, notCameraMessage) = open("/dev/null")
        #expect(notCamera == GAZE_ERR_NOT_CAPTURE_DEVICE && notCameraMessage.contains("/dev/null"), "\(notCameraMessage)")
        if !FileManagerProbe.hasVideoDevices() {  // with a camera, the name might exist
            let (none, noneMessage) = open("Integrated Camera")
            #expect(none == GAZE_ERR_NO_DEVICE && !noneMessage.isEmpty)
        }
    }

    func holders(_ path: String?, size: Int = 256) -> (gaze_status, String) {
        var error = gaze_error()
        gaze_error_init(&error)
        var buffer = [CChar](repeating: 65, count: max(size, 1))
        let status = gaze_device_holders(path, &buffer, size, &error)
        return (status, status == GAZE_OK ? String(decoding: buffer.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)), as: UTF8.self) : "")
    }

    /// A busy camera's error names the programs holding it. No camera can be
    /// made busy here, so a plain file held open by a child process stands in
    /// for the device node: the lookup through /proc is the same.
    @Test func aBusyDeviceIsNamedByWhoHoldsIt() async throws {
        let dir = TemporaryDirectory()
        let node = dir.write("video-stand-in", "")
        #expect(holders(node) == (GAZE_OK, ""), "nobody holds it yet")
        let mine = try #require(FileHandle(forReadingAtPath: node))
        defer { try? mine.close() }
        #expect(holders(node) == (GAZE_OK, ""), "the asking process itself is not a holder")

        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/bin/sh")
        holder.arguments = ["-c", #"exec 3<"$0"; exec sleep 60"#, node]
        try ParentBoundLaunch.run(holder)
        defer { holder.terminate() }
        let expected = "sleep (pid \(holder.processIdentifier))"
        let named = await eventually(timeout: .seconds(5)) { holders(node).1 == expected }
        #expect(named, "got '\(holders(node).1)', expected '\(expected)'")
        let cut = holders(node, size: 8)
        #expect(cut == (GAZE_OK, String(expected.prefix(7))), "cut to the buffer and NUL-terminated")
        #expect(holders(nil).0 == GAZE_ERR_INVALID_ARGUMENT)
        #expect(holders(node, size: 0).0 == GAZE_ERR_INVALID_ARGUMENT)
    }

    @Test(.enabled(if: !FileManagerProbe.hasVideoDevices(), "this machine has a camera"))
    func theLivePluginWithoutACameraIsDegradedAndSaysWhy() async throws {
        let dir = TemporaryDirectory()
        var builder = ConfigBuilder()
        builder.add(id: "gaze", library: "gaze", config: ["source": "camera", "camera_retry_s": 0.5])
        let agent = try AgentProcess(arguments: ["run", "--config", builder.write(to: dir), "--state-dir", dir.path + "/state", "--print-events", "plugin.state"],
                                     environment: ["XDG_RUNTIME_DIR": dir.path, "PROCTORD_DATA_DIR": GazeFixtures.dataDirectory])
        defer { agent.signal(SIGKILL) }
        func degraded(_ reason: String) -> (JSONValue) -> Bool {
            { $0["topic"] == "plugin.state" && $0["data"]?["state"] == "degraded" && $0["data"]?["reason"]?.stringValue == reason }
        }
        let noCamera = "no frames: no camera: this system has no V4L2 capture device (/dev/video*); retrying every 0.5 s"
        #expect(await agent.waitForEvent(timeout: .seconds(60), degraded(noCamera)) != nil, "\(agent.events)")
        // Before that, degraded while the landmark model loads (after start, not in it).
        let reasons = agent.events.compactMap { $0["data"]?["reason"]?.stringValue }
        #expect(reasons.first == "loading the landmark model", "\(reasons)")
    }
}

enum FileManagerProbe {
    static func hasVideoDevices() -> Bool {
        (try? FileManager.default.contentsOfDirectory(atPath: "/dev"))?.contains { $0.hasPrefix("video") } ?? false
    }
}
