import ProctorJSON

/// A proctord plugin written in Swift. Conform a final class to this protocol
/// and export it with `PluginExport.entry` (see `PluginExport.swift`); PluginKit
/// turns it into the C descriptor the host loads, so the plugin never touches
/// the C plumbing.
///
/// Every method is called on the host's control thread, never concurrently
/// (see the ABI header). `start` may spawn threads; `stop` must join them.
public protocol Plugin: AnyObject {
    /// Who the plugin is; read once when the library is loaded.
    static var description: PluginDescription { get }

    /// Builds an instance from a config that already passed
    /// `description.configSchema`, with the schema's defaults filled in.
    /// Must not start threads or open devices. Throw to refuse the config.
    init(host: PluginHost, config: JSONValue) throws

    func start() throws
    func stop()

    /// Answers `{"method": ..., "params": ...}` from the page or the host.
    /// Throw `PluginRequestError` for an answer in the protocol's error form.
    func handle(method: String, params: JSONValue?) throws -> JSONValue

    /// The same, told who asks; by default `handle(method:params:)`. A
    /// plugin that must not let pages do what the agent does implements this.
    func handle(method: String, params: JSONValue?, caller: RequestCaller) throws -> JSONValue
}

extension Plugin {
    public func handle(method: String, params: JSONValue?) throws -> JSONValue {
        throw PluginRequestError.unknownMethod(method)
    }

    public func handle(method: String, params: JSONValue?, caller: RequestCaller) throws -> JSONValue {
        try handle(method: method, params: params)
    }
}

/// Who sent a request. The agent marks its own with `"caller": "agent"`; the
/// API forwards a page's request as method and params only, so a page can
/// never carry that mark (see docs/plugin-abi.md).
public enum RequestCaller: String, Sendable {
    case agent, page

    init(request: JSONValue) { self = request["caller"]?.stringValue == "agent" ? .agent : .page }
}

/// A plugin that can run on a recorded file instead of a live device
/// (`proctord replay PLUGIN --source FILE`).
public protocol FileSourcePlugin: Plugin {
    /// Processes the whole file on the calling thread, emitting as it goes.
    func replay(path: String, options: JSONValue) throws
}

/// What a plugin tells the host about itself.
public struct PluginDescription: Sendable {
    public var id: String
    public var name: String
    public var version: String
    public var summary: String
    public var topics: [String]
    public var configSchema: JSONValue
    public var capabilities: [String]

    public init(
        id: String, name: String, version: String, summary: String, topics: [String],
        configSchema: JSONValue, capabilities: [String] = ["requests"]
    ) {
        self.id = id
        self.name = name
        self.version = version
        self.summary = summary
        self.topics = topics
        self.configSchema = configSchema
        self.capabilities = capabilities
    }
}

/// An answer to a request in the protocol's error form:
/// `{"error": {"code": ..., "message": ...}}`.
public struct PluginRequestError: Error, Sendable {
    public var code: String
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    public static func unknownMethod(_ method: String) -> PluginRequestError {
        PluginRequestError(code: "unknown_method", message: "unknown method \(JSONWriter.quoted(method))")
    }

    public static func invalidParams(_ message: String) -> PluginRequestError {
        PluginRequestError(code: "invalid_params", message: message)
    }
}

/// A failure with a message for people: what went wrong and, where it helps,
/// what to do. Thrown from `init`, `start` and `replay`.
public struct PluginError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
