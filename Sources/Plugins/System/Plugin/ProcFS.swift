#if canImport(Glibc)
import Glibc
#endif

/// Small, allocation-light reads of procfs and sysfs: the plugin reads a few
/// short files per new process, so it skips Foundation's file machinery.
enum ProcFS {
    /// The file's contents up to `limit` bytes, or nil when it cannot be read.
    /// Read in chunks and kept as long as the file is, never a buffer of
    /// `limit` bytes: a zeroed 4 MiB buffer for a process's maps, freed again,
    /// stayed resident in the thread's malloc arena (4.1 MiB of the child's 15.5).
    static func read(_ path: String, limit: Int = 4096) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: min(limit, 16384)) { chunk in
            while bytes.count < limit {
                let n = Glibc.read(fd, chunk.baseAddress!, min(chunk.count, limit - bytes.count))
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[0..<n]))
            }
        }
        return bytes
    }

    /// The file as text with surrounding whitespace removed.
    static func text(_ path: String, limit: Int = 4096) -> String? {
        guard let bytes = read(path, limit: limit) else { return nil }
        return String(decoding: bytes, as: UTF8.self).trimmingWhitespace
    }

    /// Where a symbolic link points, or nil.
    static func link(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4097)
        let n = readlink(path, &buffer, 4096)
        guard n > 0 else { return nil }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The file a process runs (/proc/PID/exe), without the " (deleted)" the
    /// kernel adds once it was removed or replaced; nil when not readable.
    static func executable(of pid: Int32) -> String? {
        guard let path = link("/proc/\(pid)/exe") else { return nil }
        return path.hasSuffix(" (deleted)") ? String(path.dropLast(10)) : path
    }

    /// A process's name as the kernel keeps it (/proc/PID/comm, 15 bytes at most); nil when gone.
    static func comm(of pid: Int32) -> String? {
        text("/proc/\(pid)/comm", limit: 64)
    }

    /// The numeric entries of a /proc-like directory: the pids.
    static func pids(in directory: String = "/proc") -> Set<Int32> {
        var pids = Set<Int32>()
        guard let dir = opendir(directory) else { return pids }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let pid: Int32? = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                var value: Int32 = 0
                for byte in raw {
                    if byte == 0 { break }
                    guard byte >= 48 && byte <= 57 else { return nil }
                    value = value &* 10 &+ Int32(byte - 48)
                }
                return value > 0 ? value : nil
            }
            if let pid { pids.insert(pid) }
        }
        return pids
    }

    /// The names in a directory (no dot entries).
    static func names(in directory: String) -> [String] {
        var names: [String] = []
        guard let dir = opendir(directory) else { return names }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Device, inode, size and change time: enough to tell that a file was
    /// replaced or rewritten.
    struct FileIdentity: Hashable, Sendable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var modified: Int64
        var modifiedNanoseconds: Int
    }

    static func identity(_ path: String) -> FileIdentity? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
                            modified: Int64(info.st_mtim.tv_sec), modifiedNanoseconds: Int(info.st_mtim.tv_nsec))
    }

    /// A process's environment as name → value (empty when unreadable).
    static func environment(of pid: Int32) -> [String: String] {
        guard let bytes = read("/proc/\(pid)/environ", limit: 1 << 20) else { return [:] }
        var result: [String: String] = [:]
        for entry in bytes.split(separator: 0) {
            guard let equals = entry.firstIndex(of: 61) else { continue }
            result[String(decoding: entry[entry.startIndex..<equals], as: UTF8.self)] =
                String(decoding: entry[(equals + 1)...], as: UTF8.self)
        }
        return result
    }

    /// A process's arguments (empty for a kernel thread or a process gone).
    static func arguments(of pid: Int32) -> [String] {
        guard let bytes = read("/proc/\(pid)/cmdline", limit: 8192) else { return [] }
        return bytes.split(separator: 0, omittingEmptySubsequences: false).dropLast(bytes.last == 0 ? 1 : 0)
            .map { String(decoding: $0, as: UTF8.self) }
    }

    /// A field of /proc/PID/status ("TracerPid", "PPid").
    static func statusField(_ name: String, of pid: Int32) -> String? {
        guard let text = text("/proc/\(pid)/status", limit: 8192) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(name + ":") {
            return String(line.dropFirst(name.count + 1)).trimmingWhitespace
        }
        return nil
    }
}

extension StringProtocol {
    var trimmingWhitespace: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" || $0 == "\0" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
