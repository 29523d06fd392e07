/// Checks that bytes are one well-formed JSON object in valid UTF-8 without
/// building it. The host runs this on every event a plugin emits, so it never
/// allocates; a WebSocket text frame with invalid UTF-8 would make browsers
/// drop the connection, so UTF-8 is checked too.
public enum JSONSyntax {
    public static func isObject(_ bytes: UnsafeRawBufferPointer, maximumDepth: Int = 64) -> Bool {
        var scanner = Scanner(bytes: bytes, maximumDepth: maximumDepth)
        scanner.skipWhitespace()
        guard scanner.peek == UInt8(ascii: "{"), scanner.value() else { return false }
        scanner.skipWhitespace()
        return scanner.index == bytes.count
    }

    public static func isObject(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { isObject(UnsafeRawBufferPointer($0)) }
    }

    private struct Scanner {
        let bytes: UnsafeRawBufferPointer
        let maximumDepth: Int
        var index = 0
        var depth = 0

        init(bytes: UnsafeRawBufferPointer, maximumDepth: Int) {
            self.bytes = bytes
            self.maximumDepth = maximumDepth
        }

        var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipWhitespace() {
            while index < bytes.count {
                let b = bytes[index]
                guard b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 else { return }
                index += 1
            }
        }

        mutating func value() -> Bool {
            guard let byte = peek else { return false }
            switch byte {
            case UInt8(ascii: "{"): return container(close: UInt8(ascii: "}"), keyed: true)
            case UInt8(ascii: "["): return container(close: UInt8(ascii: "]"), keyed: false)
            case UInt8(ascii: "\""): return string()
            case UInt8(ascii: "t"): return word("true")
            case UInt8(ascii: "f"): return word("false")
            case UInt8(ascii: "n"): return word("null")
            default: return number()
            }
        }

        mutating func container(close: UInt8, keyed: Bool) -> Bool {
            depth += 1
            defer { depth -= 1 }
            guard depth <= maximumDepth else { return false }
            index += 1
            skipWhitespace()
            if peek == close {
                index += 1
                return true
            }
            while true {
                skipWhitespace()
                if keyed {
                    guard peek == UInt8(ascii: "\""), string() else { return false }
                    skipWhitespace()
                    guard peek == UInt8(ascii: ":") else { return false }
                    index += 1
                    skipWhitespace()
                }
                guard value() else { return false }
                skipWhitespace()
                guard let byte = peek else { return false }
                index += 1
                if byte == close { return true }
                guard byte == UInt8(ascii: ",") else { return false }
            }
        }

        mutating func string() -> Bool {
            index += 1
            while index < bytes.count {
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "\""):
                    index += 1
                    return true
                case UInt8(ascii: "\\"):
                    index += 1
                    guard let escaped = peek else { return false }
                    index += 1
                    switch escaped {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                        UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                        continue
                    case UInt8(ascii: "u"):
                        for _ in 0..<4 {
                            guard let h = peek, hexDigit(h) != nil else { return false }
                            index += 1
                        }
                    default: return false
                    }
                case 0..<0x20: return false
                case 0..<0x80: index += 1
                default: guard utf8Sequence() else { return false }
                }
            }
            return false
        }

        /// One multi-byte UTF-8 sequence, rejecting overlongs and surrogates.
        mutating func utf8Sequence() -> Bool {
            let lead = bytes[index]
            let length: Int
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: return false
            }
            guard index + length <= bytes.count else { return false }
            let second = bytes[index + 1]
            guard second >= low && second <= high else { return false }
            for offset in 2..<max(2, length) where bytes[index + offset] & 0xC0 != 0x80 { return false }
            index += length
            return true
        }

        mutating func word(_ text: StaticString) -> Bool {
            let length = text.utf8CodeUnitCount
            guard index + length <= bytes.count else { return false }
            let matches = text.withUTF8Buffer { expected in
                (0..<length).allSatisfy { bytes[index + $0] == expected[$0] }
            }
            index += length
            return matches
        }

        mutating func number() -> Bool {
            if peek == UInt8(ascii: "-") { index += 1 }
            guard let first = peek, isDigit(first) else { return false }
            index += 1
            if first != UInt8(ascii: "0") { digits() }
            if peek == UInt8(ascii: ".") {
                index += 1
                guard let d = peek, isDigit(d) else { return false }
                digits()
            }
            if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
                index += 1
                if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { index += 1 }
                guard let d = peek, isDigit(d) else { return false }
                digits()
            }
            return true
        }

        mutating func digits() {
            while let d = peek, isDigit(d) { index += 1 }
        }
    }
}
