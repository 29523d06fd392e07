import Foundation
import ProctorTestSupport
import Testing
@testable import SystemWatch

/// When a video node is asked VIDIOC_QUERYCAP again. There is no V4L2
/// device on the build machines, so the nodes are plain files (stat reads
/// them as it reads a device node) and the ioctl is a counting stand-in.
@Suite struct CameraQueryCacheTests {
    static let webcam = CameraCapabilities(
        driver: "uvcvideo", card: "Integrated Camera", busInfo: "usb-0000:00:14.0-8", deviceCaps: 0x0420_0001)
    static let loopback = CameraCapabilities(
        driver: "v4l2 loopback", card: "OBS Virtual Camera", busInfo: "platform:v4l2loopback-000", deviceCaps: 0x0520_0002)

    final class Counter {
        var asked: [String] = []
        let answer: CameraCapabilities?
        init(_ answer: CameraCapabilities?) { self.answer = answer }
        func query(_ path: String) -> CameraCapabilities? {
            asked.append(path)
            return answer
        }
    }

    static func look(_ cache: inout CameraQueryCache, _ path: String, _ counter: Counter) -> CameraCapabilities? {
        cache.capabilities(of: path, reusable: { !CameraClassifier.classify($0).virtual }, query: counter.query)
    }

    @Test func aRealCameraIsAskedOnceUntilItsNodeChanges() throws {
        let directory = TemporaryDirectory("proctord-camera-cache")
        let node = directory.path + "/video0"
        #expect(FileManager.default.createFile(atPath: node, contents: Data()))
        var cache = CameraQueryCache()
        let counter = Counter(Self.webcam)
        #expect(Self.look(&cache, node, counter) == Self.webcam)
        #expect(Self.look(&cache, node, counter) == Self.webcam)
        #expect(Self.look(&cache, node, counter) == Self.webcam)
        #expect(counter.asked.count == 1, "an unchanged node was opened again: \(counter.asked)")

        // A permission change (udev giving the seat's user access) is a new change time;
        // the file clock moves in ticks, so chmod until it did.
        let before = try #require(CameraQueryCache.key(node))
        var after = before
        var modes: [mode_t] = [0o640, 0o600]
        for _ in 0..<1_000_000 where after == before {
            chmod(node, modes[0])
            modes.reverse()
            after = try #require(CameraQueryCache.key(node))
        }
        #expect(after != before)
        _ = Self.look(&cache, node, counter)
        #expect(counter.asked.count == 2)

        // A camera plugged out and in again: another node (another inode) under the same name.
        let replugged = directory.path + "/video0.new"
        #expect(FileManager.default.createFile(atPath: replugged, contents: Data()))
        #expect(rename(replugged, node) == 0)
        _ = Self.look(&cache, node, counter)
        #expect(counter.asked.count == 3)

        // Gone: nothing, and no question asked.
        try FileManager.default.removeItem(atPath: node)
        #expect(Self.look(&cache, node, counter) == nil)
        #expect(counter.asked.count == 3)
    }

    @Test func aVirtualCameraAndAFailedQueryAreAskedEachTime() {
        let directory = TemporaryDirectory("proctord-camera-cache")
        let node = directory.path + "/video4"
        #expect(FileManager.default.createFile(atPath: node, contents: Data()))
        // v4l2loopback's answer changes when a writer starts (exclusive_caps), and opening it wakes no hardware.
        var cache = CameraQueryCache()
        let virtual = Counter(Self.loopback)
        _ = Self.look(&cache, node, virtual)
        _ = Self.look(&cache, node, virtual)
        #expect(virtual.asked.count == 2)
        // No answer is not kept: the node may answer next time.
        var other = CameraQueryCache()
        let failing = Counter(nil)
        _ = Self.look(&other, node, failing)
        _ = Self.look(&other, node, failing)
        #expect(failing.asked.count == 2)
    }

    @Test func aNodeNoLongerListedIsForgotten() {
        let directory = TemporaryDirectory("proctord-camera-cache")
        let node = directory.path + "/video0"
        #expect(FileManager.default.createFile(atPath: node, contents: Data()))
        var cache = CameraQueryCache()
        let counter = Counter(Self.webcam)
        _ = Self.look(&cache, node, counter)
        cache.keep(only: [])
        _ = Self.look(&cache, node, counter)
        #expect(counter.asked.count == 2)
    }
}
