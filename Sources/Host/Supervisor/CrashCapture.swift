/// What a plugin child printed, kept for a crash report in bounded memory:
/// the last `tailLimit` bytes before a crash message, and from the crash
/// message on (the Swift runtime's backtrace, glibc's `*** ... ***`, a
/// `Fatal error:`) up to `crashLimit` bytes. Lines from a crash message on
/// belong to the report, not to the log.
struct CrashCapture {
    let tailLimit: Int
    let crashLimit: Int
    /// Output before the crash message; trimmed from the front past `tailLimit`.
    private(set) var tail: [UInt8] = []
    /// Output from the crash message on.
    private(set) var crash: [UInt8] = []
    /// Bytes of output not kept: earlier than the tail, or past `crashLimit`.
    private(set) var droppedBefore = 0
    private(set) var droppedAfter = 0
    /// Whether a crash message has been seen: from then on nothing is logged.
    private(set) var crashSeen = false

    init(tailLimit: Int = 32 << 10, crashLimit: Int = 512 << 10) {
        self.tailLimit = tailLimit
        self.crashLimit = crashLimit
    }

    /// Takes one line (without its newline); says whether it may be logged.
    mutating func take(_ line: ArraySlice<UInt8>) -> Bool {
        if !crashSeen && Self.isCrashMessage(line) { crashSeen = true }
        if crashSeen {
            let room = max(0, crashLimit - crash.count)
            crash.append(contentsOf: line.prefix(room))
            if room > line.count { crash.append(UInt8(ascii: "\n")) }
            droppedAfter += max(0, line.count + 1 - room)
            return false
        }
        tail.append(contentsOf: line)
        tail.append(UInt8(ascii: "\n"))
        // Trimmed in steps, so keeping the tail costs no more than copying it once.
        if tail.count > 2 * tailLimit {
            let excess = tail.count - tailLimit
            tail.removeFirst(excess)
            droppedBefore += excess
        }
        return true
    }

    /// The output kept, in order, with what was left out said in brackets.
    var text: String {
        var kept = tail.suffix(tailLimit)
        let before = droppedBefore + (tail.count - kept.count)
        kept.append(contentsOf: crash)
        var out = before > 0 ? "[\(before) earlier bytes not kept]\n" : ""
        out += String(decoding: kept, as: UTF8.self)
        if droppedAfter > 0 { out += "[\(droppedAfter) more bytes not kept]\n" }
        return out
    }

    /// A line that starts a crash report: the Swift backtracer's header
    /// (`💣 Program crashed: ...`, or `*** Program crashed: ... ***` without
    /// colour), glibc's fatal messages (`*** stack smashing detected ***`),
    /// a Swift runtime trap (`File.swift:12: Fatal error: ...`, also
    /// `Precondition failed`, `Assertion failed`) and a failed C `assert`.
    static func isCrashMessage(_ line: ArraySlice<UInt8>) -> Bool {
        let text = String(decoding: line.prefix(512), as: UTF8.self)
        if text.hasPrefix("💣 Program crashed: ") { return true }
        if text.hasPrefix("*** "), text.dropFirst(4).contains(" ***") { return true }
        if text.contains(": Assertion `"), text.contains("' failed.") { return true }
        // A Swift trap's message, after an optional "file:line: " prefix.
        var rest = Substring(text)
        if let colon = rest.firstIndex(of: ":"),
            let secondColon = rest[rest.index(after: colon)...].firstIndex(of: ":"),
            !rest[colon..<secondColon].dropFirst().isEmpty,
            rest[colon..<secondColon].dropFirst().allSatisfy(\.isASCIIDigit),
            rest[secondColon...].hasPrefix(": ") {
            rest = rest[rest.index(secondColon, offsetBy: 2)...]
        }
        return ["Fatal error", "Precondition failed", "Assertion failed"].contains { prefix in
            rest.hasPrefix(prefix) && (rest.count == prefix.count || rest.dropFirst(prefix.count).hasPrefix(":"))
        }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
