#if canImport(Glibc)
import Glibc
#endif
import LinuxShim
import Logging

/// Logs one line per message on stderr. Under systemd (JOURNAL_STREAM set)
/// each line starts with its syslog priority, `<4>`, which journald turns
/// into the entry's priority; in a terminal it starts with the time and the
/// level instead. Metadata follows as `key=value`.
public struct JournalLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    private let label: String
    private let journal: Bool

    public init(label: String, level: Logger.Level, journal: Bool) {
        self.label = label
        self.logLevel = level
        self.journal = journal
    }

    /// Whether stderr is connected to the journal (see systemd.exec(5)).
    public static var stderrIsJournal: Bool { getenv("JOURNAL_STREAM") != nil }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields = metadata
        if let extra = event.metadata { fields.merge(extra) { $1 } }
        var line = journal
            ? "<\(event.level.syslogPriority)>"
            : "\(Timestamp.now().rfc3339) \(event.level.rawValue.padding(8)) "
        for key in fields.keys.sorted() where key == "plugin" { line += "[\(fields[key]!)] " }
        line += event.message.description.escapingControls()
        for key in fields.keys.sorted() where key != "plugin" { line += " \(key)=\("\(fields[key]!)".escapingControls())" }
        line += "\n"
        var bytes = line
        bytes.withUTF8 { linux_write_stderr($0.baseAddress, UInt($0.count)) }
    }
}

extension Logger.Level {
    /// The syslog severity journald understands.
    public var syslogPriority: Int32 {
        switch self {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// The level for a plugin's PROCTOR_LOG_* severity.
    public init(syslog severity: Int32) {
        switch severity {
        case ...2: self = .critical
        case 3: self = .error
        case 4: self = .warning
        case 5: self = .notice
        case 6: self = .info
        default: self = .debug
        }
    }
}

extension String {
    fileprivate func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }

    /// One message, one line, shown as it is: a newline becomes a visible
    /// `\n`, and other control characters and the bidirectional overrides
    /// and isolates (which a page's Origin or a client name could carry to
    /// make a log line read backwards) become `\u{...}`.
    public func escapingControls() -> String {
        guard unicodeScalars.contains(where: Self.needsEscape) else { return self }
        var out = String.UnicodeScalarView()
        for scalar in unicodeScalars {
            if scalar == "\n" {
                out.append(contentsOf: "\\n".unicodeScalars)
            } else if Self.needsEscape(scalar) {
                out.append(contentsOf: "\\u{\(String(scalar.value, radix: 16))}".unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: true  // C0 and C1 controls, DEL
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true  // bidi marks, embeddings, overrides, isolates
        case 0x2028, 0x2029: true  // line and paragraph separators
        default: false
        }
    }
}
