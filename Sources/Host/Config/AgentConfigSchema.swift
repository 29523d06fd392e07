import ProctorJSON

/// The schema of `plugins.json` itself; each plugin's `config` is checked
/// later against the schema that plugin declares.
enum AgentConfigSchema {
    static let restart: JSONValue = [
        "type": "object", "additionalProperties": false,
        "properties": [
            "initial_delay_ms": ["type": "integer", "minimum": 1, "maximum": 600_000],
            "max_delay_ms": ["type": "integer", "minimum": 1, "maximum": 3_600_000],
            "crash_loop_limit": ["type": "integer", "minimum": 1, "maximum": 1000],
            "crash_loop_window_s": ["type": "integer", "minimum": 1, "maximum": 86400],
            "crash_loop_hold_s": ["type": "integer", "minimum": 1, "maximum": 86400],
        ],
    ]

    static let schema: JSONValue = [
        "type": "object", "additionalProperties": false, "required": ["plugins"],
        "properties": [
            "$comment": ["type": "string"],
            "api": [
                "type": "object", "additionalProperties": false,
                "properties": [
                    "port": ["type": "integer", "minimum": 0, "maximum": 65535,
                             "description": "0 picks a free port (tests)"],
                    "allowed_origins": [
                        "type": "array",
                        "items": ["type": "string", "pattern": "^https?://[^/\\s]+$", "maxLength": 253],
                    ],
                    "token_lifetime_s": ["type": "integer", "minimum": 60, "maximum": 86400],
                    "heartbeat_interval_s": ["type": "integer", "minimum": 1, "maximum": 300],
                    "thin_topics": ["type": "array", "items": ["type": "string", "pattern": "^[a-z0-9_]+(\\.[a-z0-9_]+)*$"]],
                ],
            ],
            "store": [
                "type": "object", "additionalProperties": false,
                "properties": [
                    "idle_end_minutes": ["type": "integer", "minimum": 1, "maximum": 10080],
                    "retention_days": ["type": "integer", "minimum": 1, "maximum": 3650],
                ],
            ],
            "bus": [
                "type": "object", "additionalProperties": false,
                "properties": [
                    "replay_events": ["type": "integer", "minimum": 100, "maximum": 1_000_000],
                    "replay_mib": ["type": "integer", "minimum": 1, "maximum": 1024],
                ],
            ],
            // Each rule is checked further against its kind's parameters (GuidelineParser).
            "guidelines": [
                "type": "object", "additionalProperties": false, "required": ["rules"],
                "properties": ["$comment": ["type": "string"], "rules": ["type": "array", "items": ["type": "object"]]],
            ],
            "plugin_dir": ["type": "string", "minLength": 1],
            "restart": restart,
            "plugins": [
                "type": "array",
                "items": [
                    "type": "object", "additionalProperties": false, "required": ["id", "library"],
                    "properties": [
                        "id": ["type": "string", "pattern": "^[a-z0-9_-]{1,32}$"],
                        "library": ["type": "string", "minLength": 1],
                        "enabled": ["type": "boolean"],
                        "config": ["type": "object"],
                        "restart": restart,
                        "hang_timeout_ms": ["type": "integer", "minimum": 100, "maximum": 600_000],
                    ],
                ],
            ],
        ],
    ]
}
