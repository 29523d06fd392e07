import ProctorJSON

/// One guideline: what the interviewee was told (`text`), the condition that
/// shows it was not followed (`kind` and its parameters), and what an alert
/// of it weighs.
public struct GuidelineRule: Sendable, Equatable {
    public var id: String
    public var kind: String
    public var text: String
    public var severity: Severity
    /// Points each alert of this rule takes off the score...
    public var cost: Double
    /// ...and the most this rule may take off in one interview.
    public var cap: Double
    /// The kind's parameters, with its defaults filled in (`min_s`, `count`...).
    public var parameters: JSONObject

    /// A number parameter (the kind's schema made sure it is one).
    public func number(_ name: String) -> Double { parameters[name]?.doubleValue ?? 0 }

    /// Milliseconds from a parameter given in seconds.
    public func milliseconds(_ name: String) -> Int64 { Int64((number(name) * 1000).rounded()) }

    public func string(_ name: String) -> String { parameters[name]?.stringValue ?? "" }

    public func strings(_ name: String) -> [String] { parameters[name]?.arrayValue?.compactMap(\.stringValue) ?? [] }

    /// The rule as the config writes it: one flat object.
    public var json: JSONValue {
        var object: JSONObject = [
            "id": .string(id), "kind": .string(kind), "text": .string(text), "severity": .string(severity.rawValue),
            "cost": .number(cost), "cap": .number(cap),
        ]
        for (key, value) in parameters.members { object[key] = value }
        return .object(object)
    }
}

/// The rules in force for an interview.
public struct Guidelines: Sendable, Equatable {
    public var rules: [GuidelineRule]

    public init(rules: [GuidelineRule]) { self.rules = rules }

    public func rule(_ id: String) -> GuidelineRule? { rules.first { $0.id == id } }

    /// `{"rules": [...]}`, as stored and published with the interview.
    public var json: JSONValue { ["rules": .array(rules.map(\.json))] }
}
