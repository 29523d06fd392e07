#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The admin API's bearer secret, kept in a file only its user can read:
/// created with 32 random bytes (base64url) on first start when missing.
public struct AdminSecret: Sendable {
    private let digest: SecretDigest

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Reads the secret in `path`, creating the file (and its directory, 0700) when it does not exist.
    public static func loadOrCreate(_ path: String) throws(Failure) -> AdminSecret {
        if let text = try read(path) { return AdminSecret(digest: SecretDigest(text)) }
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw Failure(description: "\(directory): cannot create the admin secret's directory: \(error.localizedDescription)")
            }
        }
        let secret = RandomSecret.make()
        // O_EXCL: a file someone else made first is never written into.
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw Failure(description: "\(path): cannot create the admin secret: \(String(cString: strerror(errno)))") }
        let line = Array((secret + "\n").utf8)
        let written = line.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == line.count else { throw Failure(description: "\(path): cannot write the admin secret") }
        return AdminSecret(digest: SecretDigest(secret))
    }

    /// The secret in `path` for a client (the CLI): nil when there is no file.
    public static func read(_ path: String) throws(Failure) -> String? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure(description: "\(path): cannot read the admin secret (is it yours?)")
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.count >= 16 else { throw Failure(description: "\(path): the admin secret is shorter than 16 characters") }
        return text
    }

    /// True when `header` is `Bearer <this secret>`; compared in constant time.
    public func authorizes(_ header: String?) -> Bool {
        guard let header, header.hasPrefix("Bearer ") else { return false }
        return digest.matches(SecretDigest(String(header.dropFirst("Bearer ".count))))
    }
}
