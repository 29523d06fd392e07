#if canImport(Glibc)
import Glibc
#endif

/// Directories only the user may read: sessions, secrets and sockets live in
/// them. Created with mode 0700, parents included; an existing directory
/// owned by someone else, or open to others, is refused rather than used.
public enum PrivateDirectory {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static func create(_ path: String) throws(Failure) {
        var built = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            built += "/" + part
            if mkdir(built, 0o700) != 0 && errno != EEXIST {
                throw Failure(description: "\(built): cannot create directory: \(String(cString: strerror(errno)))")
            }
        }
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            throw Failure(description: "\(path): not a directory")
        }
        guard info.st_uid == getuid() else {
            throw Failure(description: "\(path): owned by uid \(info.st_uid), not by this user (\(getuid())); refusing to keep private files there")
        }
        if info.st_mode & 0o077 != 0 && chmod(path, 0o700) != 0 {
            throw Failure(description: "\(path): readable by others and cannot be made private: \(String(cString: strerror(errno)))")
        }
    }
}
