#if canImport(Glibc)
import Glibc
#endif

/// The process environment as a dictionary, for plugins that would otherwise
/// load Foundation for `ProcessInfo` alone.
public enum ProcessEnvironment {
    public static var current: [String: String] {
        var out: [String: String] = [:]
        var cursor = environ
        while let entry = cursor.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") { out[String(text[..<equals])] = String(text[text.index(after: equals)...]) }
            cursor += 1
        }
        return out
    }
}
