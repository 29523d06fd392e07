import ProctorJSON

/// A problem in a config file, naming the file, where in it, and what is
/// wrong: `plugins.json: $.plugins[1].config.interval_ms: 5 is less than the
/// minimum 10`.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Location: Sendable, Equatable {
        case path(JSONPath)
        case text(line: Int, column: Int)
        case file
    }

    public let file: String
    public let location: Location
    public let message: String

    public init(file: String, location: Location, message: String) {
        self.file = file
        self.location = location
        self.message = message
    }

    public init(file: String, path: JSONPath, message: String) {
        self.init(file: file, location: .path(path), message: message)
    }

    public var description: String {
        switch location {
        case .path(let path): "\(file): \(path): \(message)"
        case .text(let line, let column): "\(file):\(line):\(column): \(message)"
        case .file: "\(file): \(message)"
        }
    }
}

/// Every problem found in one pass, so a person fixes them all at once.
public struct ConfigErrors: Error, Sendable, CustomStringConvertible {
    public let errors: [ConfigError]
    public init(_ errors: [ConfigError]) { self.errors = errors }
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
