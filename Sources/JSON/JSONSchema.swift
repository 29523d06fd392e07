/// The subset of JSON Schema (draft 2020-12) that plugin configs use: type,
/// properties, required, additionalProperties, items, enum, const, minimum,
/// maximum, exclusiveMinimum, exclusiveMaximum, minLength, maxLength, minItems,
/// maxItems, pattern, default. Annotations (description, title, examples) are
/// accepted and ignored; any other keyword is refused when the schema is read,
/// so a plugin can never believe a constraint is enforced when it is not.
public struct JSONSchema: Sendable {
    public let root: JSONValue

    static let keywords: Set<String> = [
        "type", "properties", "required", "additionalProperties", "items", "enum", "const",
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength",
        "minItems", "maxItems", "pattern", "default", "description", "title", "examples",
        "$schema", "$id", "$comment",
    ]

    public init(_ schema: JSONValue) throws(JSONSchemaError) {
        try Self.check(schema, at: .root)
        self.root = schema
    }

    public init(text: String) throws(JSONSchemaError) {
        let value: JSONValue
        do { value = try JSONParser.parse(text) } catch {
            throw JSONSchemaError(path: .root, message: "the schema is not JSON: \(error)")
        }
        try self.init(value)
    }

    /// Every way `value` breaks the schema, each with the path where it happens.
    public func violations(of value: JSONValue, at path: JSONPath = .root) -> [SchemaViolation] {
        var found: [SchemaViolation] = []
        Self.validate(value, against: root, at: path, into: &found)
        return found
    }

    /// `value` with each missing object property that declares a `default`
    /// filled in, at every depth where the object exists.
    public func applyingDefaults(to value: JSONValue) -> JSONValue {
        Self.fillDefaults(value, schema: root)
    }

    private static func check(_ schema: JSONValue, at path: JSONPath) throws(JSONSchemaError) {
        if case .bool = schema { return }
        guard let object = schema.objectValue else {
            throw JSONSchemaError(path: path, message: "a schema must be an object or a boolean")
        }
        for key in object.keys where !keywords.contains(key) {
            throw JSONSchemaError(path: path, message: "unsupported schema keyword \(JSONWriter.quoted(key))")
        }
        if let pattern = object["pattern"]?.stringValue, (try? Regex(pattern)) == nil {
            throw JSONSchemaError(path: path.appending("pattern"), message: "invalid regular expression")
        }
        for (name, sub) in object["properties"]?.objectValue?.members ?? [] {
            try check(sub, at: path.appending("properties").appending(name))
        }
        if let items = object["items"] { try check(items, at: path.appending("items")) }
        if let extra = object["additionalProperties"] {
            try check(extra, at: path.appending("additionalProperties"))
        }
    }
}

public struct JSONSchemaError: Error, Sendable, CustomStringConvertible {
    public let path: JSONPath
    public let message: String
    public var description: String { "schema \(path): \(message)" }
}

/// One way a value breaks a schema.
public struct SchemaViolation: Sendable, Equatable, CustomStringConvertible {
    public let path: JSONPath
    public let message: String
    public var description: String { "\(path): \(message)" }
}
