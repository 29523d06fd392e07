import Crypto

/// What the server keeps of a code or secret: its SHA-256, never the text.
/// Looking a code up by its digest leaks nothing about the code, and two
/// digests compare in constant time, so
/// neither a wrong secret's length nor its first wrong byte shows in how
/// fast it is refused.
public struct SecretDigest: Sendable, Hashable {
    private let bytes: [UInt8]

    public init(_ text: String) { bytes = Array(SHA256.hash(data: Array(text.utf8))) }

    /// Constant-time equality, for secrets given by a client: every byte of
    /// the two 32-byte digests is read, whatever differs.
    public func matches(_ other: SecretDigest) -> Bool {
        guard bytes.count == other.bytes.count else { return false }
        return zip(bytes, other.bytes).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    public static func == (a: SecretDigest, b: SecretDigest) -> Bool { a.matches(b) }
    public func hash(into hasher: inout Hasher) { hasher.combine(bytes) }
}

/// Random secrets: 32 bytes from the system's CSPRNG, base64url without padding.
public enum RandomSecret {
    public static func make(bytes count: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        return Base64URL.encode((0..<count).map { _ in generator.next() as UInt8 })
    }
}

/// Base64url (RFC 4648 §5) without padding: safe in a URL fragment and a header.
public enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            let value = chunk.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (16 - 8 * UInt32($1.offset)) }
            for position in 0..<(chunk.count + 1) { out.append(alphabet[Int((value >> (18 - 6 * UInt32(position))) & 63)]) }
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
