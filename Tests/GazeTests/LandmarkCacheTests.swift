import Foundation
import ProctorTestSupport
import Testing

/// The gaze plugin keeps its landmark model's compact form (issue 18) in the
/// agent's state directory and its child maps that file read-only: a real
/// agent with the gaze plugin playing single_face.mp4 as its camera.
@Suite(.serialized) struct LandmarkCacheTests {
    @Test func theGazeChildMapsTheCompactModelFromTheStateDirectory() async throws {
        let clip = try GazeFixtures.file(GazeFixtures.singleFace)
        let api = try await APIHarness {
            $0.add(id: "gaze", library: "gaze", config: ["source": .string("file:" + clip), "sample_rate_hz": 10])
        }
        defer { Task { await api.stop() } }
        let (client, _) = try await api.paired(topics: ["gaze.sample"])
        // A face seen = the model is loaded and fitting.
        _ = try await client.receive(until: { $0.contains("gaze.sample") && $0.contains(#""faces":1"#) })

        let cache = api.directory.path + "/state/cache"
        let files = try FileManager.default.contentsOfDirectory(atPath: cache).filter { $0.hasSuffix("-float32.gzlm") }
        #expect(files.count == 1, "one compact model in \(cache): \(files)")
        let path = cache + "/" + (files.first ?? "")
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600, "the cache file is the user's alone")
        // The shipped form keeps dlib's floats: 120,000 leaves x 136 values x 4 bytes (65.3 MB), plus the splits.
        #expect(size > 65_000_000 && size < 68_000_000, "\(size) bytes")

        // Only this test's children can map a file in its temporary directory;
        // the kernel names it without the "//" a temporary path may hold.
        let mappers = Self.processesMapping(path.replacingOccurrences(of: "//", with: "/"))
        #expect(mappers.count == 1, "the gaze child maps the cache file: \(mappers)")
    }

    /// The processes whose /proc/<pid>/maps name `path` (read to the end: with
    /// the file module's libraries mapped, the cache file is past the first page).
    static func processesMapping(_ path: String) -> [Int32] {
        let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.compactMap { Int32($0) } ?? []
        return pids.filter { Processes.maps($0).contains(path) }
    }
}
