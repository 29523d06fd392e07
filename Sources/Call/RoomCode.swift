/// A room code: 20 characters of Crockford base32 (100 bits from the
/// system's CSPRNG), written in groups of five joined by dashes. People copy
/// these by hand, so a check ignores case and dashes and reads the letters
/// Crockford says are ambiguous (O as 0, I and L as 1).
public struct RoomCode: Sendable, Equatable, CustomStringConvertible {
    public static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
    public static let length = 20

    /// The 20 characters, upper case, without dashes.
    public let canonical: String

    /// A fresh code. `SystemRandomNumberGenerator` reads getrandom(2) on Linux.
    public static func random() -> RoomCode {
        var generator = SystemRandomNumberGenerator()
        return RoomCode(canonical: String((0..<length).map { _ in alphabet[Int(generator.next(upperBound: UInt8(32)))] }))
    }

    private init(canonical: String) { self.canonical = canonical }

    /// The code in `text` as typed or pasted, or nil when it cannot be one.
    public init?(normalizing text: String) {
        var characters: [Character] = []
        for character in text where character != "-" && character != " " {
            guard characters.count < Self.length, character.isASCII else { return nil }
            let upper = Character(character.uppercased())
            let mapped: Character = switch upper {
            case "O": "0"
            case "I", "L": "1"
            default: upper
            }
            guard Self.alphabet.contains(mapped) else { return nil }
            characters.append(mapped)
        }
        guard characters.count == Self.length else { return nil }
        canonical = String(characters)
    }

    /// The code as shown to people: `K7Q2M-XXXXX-XXXXX-XXXXX`.
    public var grouped: String {
        stride(from: 0, to: Self.length, by: 5).map { start in
            let from = canonical.index(canonical.startIndex, offsetBy: start)
            return String(canonical[from..<canonical.index(from, offsetBy: 5)])
        }.joined(separator: "-")
    }

    /// Never the code itself: a code printed by accident must not reach a log.
    public var description: String { "RoomCode(…)" }
}
