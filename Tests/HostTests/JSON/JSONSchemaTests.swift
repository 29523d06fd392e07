import ProctorJSON
import Testing

@Suite struct JSONSchemaTests {
    let schema = try! JSONSchema([
        "type": "object", "additionalProperties": false, "required": ["name"],
        "properties": [
            "name": ["type": "string", "minLength": 2, "pattern": "^[a-z]+$"],
            "rate": ["type": "integer", "minimum": 1, "maximum": 60, "default": 30],
            "mode": ["enum": ["fast", "slow"], "default": "fast"],
            "list": ["type": "array", "maxItems": 2, "items": ["type": "number", "exclusiveMinimum": 0]],
            "nested": ["type": "object", "properties": ["x": ["type": "boolean", "default": true]]],
        ],
    ])

    @Test func acceptsAValidValue() {
        #expect(schema.violations(of: ["name": "abc", "rate": 5, "list": [0.5]]).isEmpty)
    }

    @Test func namesThePathAndTheProblem() {
        let value: JSONValue = ["name": "A", "rate": 61.5, "mode": "medium", "list": [1, -1, 2], "extra": 1]
        let messages = schema.violations(of: value, at: JSONPath.root.appending("plugins").appending(0).appending("config"))
            .map(\.description)
        #expect(messages == [
            #"$.plugins[0].config.name: "A" is shorter than 2 characters"#,
            #"$.plugins[0].config.name: "A" does not match the pattern ^[a-z]+$"#,
            "$.plugins[0].config.rate: expected integer, got number 61.5",
            #"$.plugins[0].config.mode: "medium" is not one of "fast", "slow""#,
            "$.plugins[0].config.list: allows at most 2 items, has 3",
            "$.plugins[0].config.list[1]: -1 must be greater than 0",
            "$.plugins[0].config.extra: unknown setting (known: name, rate, mode, list, nested)",
        ])
    }

    @Test func reportsAMissingRequiredProperty() {
        #expect(schema.violations(of: [:]).map(\.description) == ["$.name: is required but missing"])
    }

    @Test func fillsDefaultsWithoutOverwriting() {
        let filled = schema.applyingDefaults(to: ["name": "ab", "rate": 10, "nested": [:]])
        #expect(filled == ["name": "ab", "rate": 10, "nested": ["x": true], "mode": "fast"])
    }

    @Test func refusesKeywordsItDoesNotEnforce() {
        #expect(throws: JSONSchemaError.self) { try JSONSchema(["type": "object", "oneOf": []]) }
        #expect(throws: JSONSchemaError.self) { try JSONSchema(["type": "string", "pattern": "("]) }
    }
}
