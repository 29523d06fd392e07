#if canImport(Glibc)
import Glibc
#endif

/// The VIDIOC_QUERYCAP answers of the video nodes, kept while a node stays
/// the same: opening a uvcvideo node resumes a USB camera from autosuspend,
/// so a laptop's webcam is not woken every few seconds to say what it
/// already said. A node is the same while its device number, inode and
/// change time are (a replugged camera gets a new node, a permission change
/// a new change time).
struct CameraQueryCache {
    struct NodeKey: Hashable {
        var device: UInt64
        var inode: UInt64
        var changed: Int64
        var changedNanoseconds: Int
    }

    private var answers: [String: (key: NodeKey, caps: CameraCapabilities)] = [:]

    /// `path`'s answer: the kept one when the node is unchanged and
    /// `reusable` says it may be kept, else `query`'s (kept when not nil).
    /// A virtual device's answer changes with its writer (v4l2loopback's
    /// exclusive_caps shows capture only while fed) and opening it wakes
    /// nothing, so the caller asks again for those.
    mutating func capabilities(
        of path: String, reusable: (CameraCapabilities) -> Bool, query: (String) -> CameraCapabilities?
    ) -> CameraCapabilities? {
        guard let key = Self.key(path) else {
            answers[path] = nil
            return nil
        }
        if let kept = answers[path], kept.key == key, reusable(kept.caps) { return kept.caps }
        let caps = query(path)
        answers[path] = caps.map { (key, $0) }
        return caps
    }

    /// Drops the answers of nodes no longer listed.
    mutating func keep(only paths: Set<String>) {
        answers = answers.filter { paths.contains($0.key) }
    }

    static func key(_ path: String) -> NodeKey? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return NodeKey(device: UInt64(info.st_rdev), inode: UInt64(info.st_ino),
                       changed: Int64(info.st_ctim.tv_sec), changedNanoseconds: Int(info.st_ctim.tv_nsec))
    }
}
