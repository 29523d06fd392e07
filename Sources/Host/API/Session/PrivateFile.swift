#if canImport(Glibc)
import Glibc
#endif

/// Files only the user may read, replaced atomically: written to a
/// temporary file created with mode 0600, then renamed over the old one.
public enum PrivateFile {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static func write(_ path: String, _ contents: String) throws {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw Failure(description: "\(temporary): \(String(cString: strerror(errno)))") }
        _ = fchmod(fd, 0o600)  // in case it existed with another mode
        var text = contents
        let written = text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return false }
                offset += n
            }
            return true
        }
        let synced = fsync(fd) == 0
        close(fd)
        guard written, synced, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw Failure(description: "\(path): cannot write: \(String(cString: strerror(errno)))")
        }
    }
}

/// The bytes of a file, or nil when it cannot be read.
func readWholeFile(_ path: String) throws -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw PrivateFile.Failure(description: String(cString: strerror(errno))) }
    defer { close(fd) }
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 16384)
    while true {
        let n = read(fd, &chunk, chunk.count)
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { return out }
        out.append(contentsOf: chunk[0..<n])
        if out.count > 4 << 20 { return out }
    }
}
