import ProctorJSON

/// What a plugin library says about itself through its descriptor, in Swift
/// terms. Travels from the child to the host as JSON (the hello frame and
/// `proctord plugins --json`).
public struct PluginManifest: Sendable, Equatable {
    public var id: String
    public var name: String
    public var version: String
    public var summary: String
    public var capabilities: [String]
    public var topics: [String]
    public var configSchema: JSONValue
    public var abiMajor: Int
    public var abiMinor: Int
    public var library: String

    public var answersRequests: Bool { capabilities.contains("requests") }
    public var hasFileSource: Bool { capabilities.contains("file-source") }

    /// Whether the plugin declared `topic` (exactly or under a `prefix.*`).
    public func declares(_ topic: String) -> Bool {
        topics.contains { TopicPattern($0)?.matches(topic) ?? false }
    }

    public var json: JSONValue {
        [
            "id": .string(id), "name": .string(name), "version": .string(version), "summary": .string(summary),
            "abi": .string("\(abiMajor).\(abiMinor)"), "library": .string(library),
            "capabilities": .array(capabilities.map(JSONValue.string)),
            "topics": .array(topics.map(JSONValue.string)),
            "config_schema": configSchema,
        ]
    }

    public init(
        id: String, name: String, version: String, summary: String, capabilities: [String], topics: [String],
        configSchema: JSONValue, abiMajor: Int, abiMinor: Int, library: String
    ) {
        self.id = id
        self.name = name
        self.version = version
        self.summary = summary
        self.capabilities = capabilities
        self.topics = topics
        self.configSchema = configSchema
        self.abiMajor = abiMajor
        self.abiMinor = abiMinor
        self.library = library
    }

    /// The manifest in a plugin child's hello. The C plugin host
    /// (`proctord-plugin-host-c`) passes the schema as the plugin wrote it,
    /// as `config_schema_text`, to be checked here in PluginLibrary's words.
    /// Nil when `json` is no manifest.
    public static func fromHello(_ json: JSONValue) -> Result<PluginManifest, PluginLoadError>? {
        guard case .object(var fields) = json else { return nil }
        if let text = fields["config_schema_text"]?.stringValue {
            do { fields["config_schema"] = try JSONSchema(text: text).root } catch {
                return .failure(.malformed(path: fields["library"]?.stringValue ?? "the plugin library",
                                           problem: "config_schema: \(error.message) at \(error.path)"))
            }
            fields["config_schema_text"] = nil
        }
        return PluginManifest(json: .object(fields)).map { .success($0) }
    }

    public init?(json: JSONValue) {
        guard let id = json["id"]?.stringValue, let name = json["name"]?.stringValue,
            let version = json["version"]?.stringValue, let abi = json["abi"]?.stringValue,
            let library = json["library"]?.stringValue, let schema = json["config_schema"]
        else { return nil }
        let abiParts = abi.split(separator: ".").compactMap { Int($0) }
        guard abiParts.count == 2 else { return nil }
        self.init(
            id: id, name: name, version: version, summary: json["summary"]?.stringValue ?? "",
            capabilities: json["capabilities"]?.arrayValue?.compactMap(\.stringValue) ?? [],
            topics: json["topics"]?.arrayValue?.compactMap(\.stringValue) ?? [],
            configSchema: schema, abiMajor: abiParts[0], abiMinor: abiParts[1], library: library)
    }
}
