import ProctorJSON

/// The JSON Schema of one setting, always with its default and a description
/// for people, so a plugin's config schema reads as a list of settings.
public enum Setting {
    public static func integer(_ range: ClosedRange<Int>, default value: Int, _ description: String) -> JSONValue {
        ["type": "integer", "minimum": .number(Double(range.lowerBound)), "maximum": .number(Double(range.upperBound)),
         "default": .number(Double(value)), "description": .string(description)]
    }

    public static func number(_ range: ClosedRange<Double>, default value: Double, _ description: String) -> JSONValue {
        ["type": "number", "minimum": .number(range.lowerBound), "maximum": .number(range.upperBound),
         "default": .number(value), "description": .string(description)]
    }

    public static func string(default value: String, maxLength: Int = 256, _ description: String) -> JSONValue {
        ["type": "string", "maxLength": .number(Double(maxLength)), "default": .string(value), "description": .string(description)]
    }

    public static func choice(_ options: [String], default value: String, _ description: String) -> JSONValue {
        ["enum": .array(options.map(JSONValue.string)), "default": .string(value), "description": .string(description)]
    }

    public static func boolean(default value: Bool, _ description: String) -> JSONValue {
        ["type": "boolean", "default": .bool(value), "description": .string(description)]
    }
}
