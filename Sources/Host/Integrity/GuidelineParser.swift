import ProctorJSON

/// Reads guideline rules (the config's, or a page's at `interview.start`),
/// checking each against the schema of its kind, and holds a page's to the
/// config: a page may make rules stricter or add rules, never loosen one.
public enum GuidelineParser {
    /// A problem at a place in the JSON: `$.guidelines.rules[2].min_s: ...`.
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public let path: JSONPath
        public let message: String
        public var description: String { "\(path): \(message)" }
    }

    /// Every problem found in one pass.
    public struct Problems: Error, Sendable, CustomStringConvertible {
        public let all: [Problem]
        public var description: String { all.map(\.description).joined(separator: "\n") }
    }

    /// The schema of one rule of `kind`: the common fields and the kind's
    /// parameters; `partial` for a page's changes to a rule the config has.
    static func schema(for kind: any Condition.Type, partial: Bool) -> JSONSchema {
        var properties: JSONObject = [
            "id": ["type": "string", "pattern": "^[a-z0-9_]{1,40}$"],
            "kind": ["const": .string(kind.kind)],
            "text": ["type": "string", "minLength": 1, "maxLength": 500],
            "severity": ["enum": ["low", "medium", "high"]],
            "cost": ["type": "number", "minimum": 0, "maximum": 100],
            "cap": ["type": "number", "minimum": 0, "maximum": 100],
        ]
        for parameter in kind.parameters { properties[parameter.name] = parameter.schema }
        let required: JSONValue = partial ? ["id"] : ["id", "kind", "text", "severity"]
        return try! JSONSchema(["type": "object", "additionalProperties": false, "required": required, "properties": .object(properties)])
    }

    static let kindNames = ConditionKinds.all.map { $0.kind }

    /// Every rule of `json` (an array), or every problem found.
    public static func rules(_ json: JSONValue, at path: JSONPath) -> Result<Guidelines, Problems> {
        guard let items = json.arrayValue else { return .failure(Problems(all: [Problem(path: path, message: "must be an array of rules")])) }
        var rules: [GuidelineRule] = []
        var problems: [Problem] = []
        var seen: [String: Int] = [:]
        for (index, item) in items.enumerated() {
            let itemPath = path.appending(index)
            switch rule(item, at: itemPath) {
            case .success(let rule):
                if let first = seen[rule.id] {
                    problems.append(Problem(path: itemPath.appending("id"), message: "duplicate rule id \"\(rule.id)\" (first at \(path.appending(first)))"))
                }
                seen[rule.id] = index
                rules.append(rule)
            case .failure(let found): problems += found.all
            }
        }
        return problems.isEmpty ? .success(Guidelines(rules: rules)) : .failure(Problems(all: problems))
    }

    /// One whole rule.
    static func rule(_ json: JSONValue, at path: JSONPath) -> Result<GuidelineRule, Problems> {
        guard let name = json["kind"]?.stringValue else {
            return .failure(Problems(all: [Problem(path: path.appending("kind"), message: "required: one of \(kindNames.joined(separator: ", "))")]))
        }
        guard let kind = ConditionKinds.named(name) else {
            return .failure(Problems(all: [Problem(path: path.appending("kind"), message: "unknown kind \"\(name)\"; known: \(kindNames.joined(separator: ", "))")]))
        }
        let schema = schema(for: kind, partial: false)
        let violations = schema.violations(of: json, at: path)
        guard violations.isEmpty else { return .failure(Problems(all: violations.map { Problem(path: $0.path, message: $0.message) })) }
        let filled = schema.applyingDefaults(to: json)
        let severity = Severity(rawValue: filled["severity"]!.stringValue!)!
        var parameters = JSONObject()
        for parameter in kind.parameters { parameters[parameter.name] = filled[parameter.name] }
        return .success(GuidelineRule(
            id: filled["id"]!.stringValue!, kind: name, text: filled["text"]!.stringValue!, severity: severity,
            cost: filled["cost"]?.doubleValue ?? severity.defaultCost, cap: filled["cap"]?.doubleValue ?? severity.defaultCap,
            parameters: parameters))
    }
}
