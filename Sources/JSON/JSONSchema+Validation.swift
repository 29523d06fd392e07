extension JSONSchema {
    static func validate(
        _ value: JSONValue, against schema: JSONValue, at path: JSONPath, into found: inout [SchemaViolation]
    ) {
        func fail(_ message: String, at where_: JSONPath? = nil) {
            found.append(SchemaViolation(path: where_ ?? path, message: message))
        }
        if case .bool(let allowed) = schema {
            if !allowed { fail("no value is allowed here") }
            return
        }
        guard let rules = schema.objectValue else { return }

        if let expected = rules["type"], !matchesType(value, expected) {
            fail("expected \(typeList(expected)), got \(value.typeName) \(excerpt(value))")
            return
        }
        if let allowed = rules["enum"]?.arrayValue, !allowed.contains(value) {
            fail("\(excerpt(value)) is not one of \(allowed.map(JSONWriter.compact).joined(separator: ", "))")
        }
        if let constant = rules["const"], constant != value {
            fail("must be \(JSONWriter.compact(constant)), got \(excerpt(value))")
        }
        switch value {
        case .number(let n): validateNumber(n, rules, fail)
        case .string(let s): validateString(s, rules, fail)
        case .array(let elements):
            if let min = rules["minItems"]?.intValue, elements.count < min {
                fail("needs at least \(min) item\(min == 1 ? "" : "s"), has \(elements.count)")
            }
            if let max = rules["maxItems"]?.intValue, elements.count > max {
                fail("allows at most \(max) item\(max == 1 ? "" : "s"), has \(elements.count)")
            }
            if let items = rules["items"] {
                for (i, element) in elements.enumerated() {
                    validate(element, against: items, at: path.appending(i), into: &found)
                }
            }
        case .object(let object):
            validateObject(object, rules, at: path, into: &found)
        default: break
        }
    }

    private static func validateObject(
        _ object: JSONObject, _ rules: JSONObject, at path: JSONPath, into found: inout [SchemaViolation]
    ) {
        let properties = rules["properties"]?.objectValue ?? JSONObject()
        for case .string(let name) in rules["required"]?.arrayValue ?? [] where object[name] == nil {
            found.append(SchemaViolation(path: path.appending(name), message: "is required but missing"))
        }
        for (key, member) in object.members {
            if let sub = properties[key] {
                validate(member, against: sub, at: path.appending(key), into: &found)
            } else if let extra = rules["additionalProperties"] {
                if case .bool(false) = extra {
                    let known = properties.keys.isEmpty ? "none" : properties.keys.joined(separator: ", ")
                    found.append(
                        SchemaViolation(path: path.appending(key), message: "unknown setting (known: \(known))"))
                } else {
                    validate(member, against: extra, at: path.appending(key), into: &found)
                }
            }
        }
    }

    private static func validateNumber(_ n: Double, _ rules: JSONObject, _ fail: (String, JSONPath?) -> Void) {
        let shown = JSONWriter.number(n)
        if let min = rules["minimum"]?.doubleValue, n < min {
            fail("\(shown) is less than the minimum \(JSONWriter.number(min))", nil)
        }
        if let max = rules["maximum"]?.doubleValue, n > max {
            fail("\(shown) is greater than the maximum \(JSONWriter.number(max))", nil)
        }
        if let min = rules["exclusiveMinimum"]?.doubleValue, n <= min {
            fail("\(shown) must be greater than \(JSONWriter.number(min))", nil)
        }
        if let max = rules["exclusiveMaximum"]?.doubleValue, n >= max {
            fail("\(shown) must be less than \(JSONWriter.number(max))", nil)
        }
    }

    private static func validateString(_ s: String, _ rules: JSONObject, _ fail: (String, JSONPath?) -> Void) {
        let length = s.unicodeScalars.count
        if let min = rules["minLength"]?.intValue, length < min {
            fail("\(JSONWriter.quoted(s)) is shorter than \(min) character\(min == 1 ? "" : "s")", nil)
        }
        if let max = rules["maxLength"]?.intValue, length > max {
            fail("is longer than \(max) characters", nil)
        }
        if let pattern = rules["pattern"]?.stringValue, let regex = try? Regex(pattern),
            (try? regex.firstMatch(in: s)) == nil
        {
            fail("\(JSONWriter.quoted(s)) does not match the pattern \(pattern)", nil)
        }
    }

    private static func matchesType(_ value: JSONValue, _ expected: JSONValue) -> Bool {
        let names = expected.arrayValue?.compactMap(\.stringValue) ?? [expected.stringValue ?? ""]
        return names.contains { name in
            name == value.typeName || (name == "number" && value.typeName == "integer")
        }
    }

    private static func typeList(_ expected: JSONValue) -> String {
        let names = expected.arrayValue?.compactMap(\.stringValue) ?? [expected.stringValue ?? "?"]
        return names.count == 1 ? names[0] : "one of " + names.joined(separator: ", ")
    }

    /// A value shortened for an error message.
    private static func excerpt(_ value: JSONValue) -> String {
        let text = JSONWriter.compact(value)
        return text.count <= 40 ? text : String(text.prefix(37)) + "..."
    }

    static func fillDefaults(_ value: JSONValue, schema: JSONValue) -> JSONValue {
        guard let rules = schema.objectValue else { return value }
        switch value {
        case .object(var object):
            let properties = rules["properties"]?.objectValue ?? JSONObject()
            for (name, sub) in properties.members {
                if let present = object[name] {
                    object[name] = fillDefaults(present, schema: sub)
                } else if let fallback = sub["default"] {
                    object[name] = fallback
                }
            }
            return .object(object)
        case .array(let elements):
            guard let items = rules["items"] else { return value }
            return .array(elements.map { fillDefaults($0, schema: items) })
        default:
            return value
        }
    }
}
