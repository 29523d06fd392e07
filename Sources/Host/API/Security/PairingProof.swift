import Crypto

/// The proof a page sends to show it knows the pairing code without sending
/// it: lowercase hex of HMAC-SHA256(key: code, message: "proctord/1 pair\n"
/// + challenge + "\n" + origin). See docs/protocol.md for a worked example.
public enum PairingProof {
    public static func message(challenge: String, origin: String) -> [UInt8] {
        Array("proctord/1 pair\n\(challenge)\n\(origin)".utf8)
    }

    public static func make(code: String, challenge: String, origin: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(
            for: message(challenge: challenge, origin: origin), using: SymmetricKey(data: Array(code.utf8)))
        return Hex.encode(Array(mac))
    }

    /// Whether `proof` is the proof for `code`, compared in constant time.
    public static func verify(_ proof: String, code: String, challenge: String, origin: String) -> Bool {
        ConstantTime.equal(make(code: code, challenge: challenge, origin: origin), proof.lowercased())
    }
}

/// Lowercase hex, and base64url without padding, for secrets on the wire.
public enum Hex {
    public static func encode(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

public enum Base64URL {
    public static func encode(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        var out = [UInt8]()
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            var value = UInt32(0)
            for (i, byte) in chunk.enumerated() { value |= UInt32(byte) << (16 - 8 * UInt32(i)) }
            for i in 0..<(chunk.count + 1) { out.append(alphabet[Int((value >> (18 - 6 * UInt32(i))) & 0x3F)]) }
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Fresh secrets from the kernel's CSPRNG (getrandom).
public enum Secret {
    public static func bytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// A base64url string of `count` random bytes.
    public static func token(bytes count: Int = 32) -> String { Base64URL.encode(bytes(count)) }

    /// `digits` decimal digits, uniformly drawn.
    public static func digits(_ digits: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<digits).map { _ in Character(String(Int.random(in: 0...9, using: &generator))) })
    }

    public static func sha256Hex(_ text: String) -> String {
        Hex.encode(Array(SHA256.hash(data: Array(text.utf8))))
    }
}
