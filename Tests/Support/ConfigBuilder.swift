import ProctorJSON

/// Writes agent configs for tests: plugin libraries from the build, fast
/// restarts, and the ids tests refer to.
public struct ConfigBuilder {
    public var plugins: [JSONValue] = []
    public var restart: JSONValue = ["initial_delay_ms": 100, "max_delay_ms": 2000, "crash_loop_limit": 5,
                                     "crash_loop_window_s": 60, "crash_loop_hold_s": 300]
    public var api: JSONValue = ["port": 0, "allowed_origins": []]  // any free port: tests run side by side

    public init() {}

    /// Adds a plugin built by this package (`heartbeat`, `test-chaos`, ...).
    public mutating func add(
        id: String, library: String, config: JSONValue = [:], restart: JSONValue? = nil, hangTimeoutMs: Int? = nil
    ) {
        var entry: JSONObject = ["id": .string(id), "library": .string(TestBuild.plugin(library)), "config": config]
        if let restart { entry["restart"] = restart }
        if let hangTimeoutMs { entry["hang_timeout_ms"] = .number(Double(hangTimeoutMs)) }
        plugins.append(.object(entry))
    }

    public var json: JSONValue {
        ["api": api, "restart": restart, "plugins": .array(plugins)]
    }

    /// Writes the config into `directory` and returns the file's path.
    public func write(to directory: TemporaryDirectory, name: String = "plugins.json") -> String {
        directory.write(name, JSONWriter.compact(json))
    }
}
