import ProctorJSON

/// The agent's configuration as read from `plugins.json`.
public struct AgentConfig: Sendable, Equatable {
    /// The file it came from, for error messages and relative paths.
    public var file: String
    public var api: APIConfig
    /// Where plugin libraries named without a path are looked up.
    public var pluginDirectory: String?
    public var plugins: [PluginEntry]
    /// Interviews and their files.
    public var store = InterviewManager.Settings()
    /// How many recent events the bus keeps for a page's resume.
    public var bus = EventBus.Limits()
    /// The rules an interview is held to; a page may only make them stricter.
    public var guidelines = GuidelineDefaults.guidelines

    public struct APIConfig: Sendable, Equatable {
        public var port: Int
        /// Page origins that may connect, compared exactly: `https://meet.example.com`.
        public var allowedOrigins: [String]
        public var tokenLifetimeSeconds: Int
        /// High-rate topics a slow client may lose before anything else.
        public var thinTopics: [String]
        /// How often the agent sends `heartbeat` to each client.
        public var heartbeatIntervalSeconds: Int
    }

    public struct PluginEntry: Sendable, Equatable {
        public var id: String
        /// A bare name (`heartbeat` -> `<plugin dir>/libproctor-heartbeat.so`) or a path.
        public var library: String
        public var enabled: Bool
        public var config: JSONValue
        public var restart: RestartPolicy
        public var hangTimeoutMilliseconds: Int
        /// Where this entry sits in the file, for error messages.
        public var path: JSONPath
    }

    /// The library file for `entry`: a bare name is looked up in the plugin
    /// directory, a relative path is taken from the config file's directory.
    public func libraryPath(for entry: PluginEntry, paths: AgentPaths) -> String {
        let configDir = AgentPaths.directory(of: file)
        if entry.library.contains("/") {
            return entry.library.hasPrefix("/") ? entry.library : configDir + "/" + entry.library
        }
        let dir = pluginDirectory.map { $0.hasPrefix("/") ? $0 : configDir + "/" + $0 } ?? paths.pluginDirectory
        let name = entry.library.hasSuffix(".so") ? entry.library : "libproctor-\(entry.library).so"
        return dir + "/" + name
    }
}

/// How the supervisor restarts a plugin that crashed, hung or failed to start.
public struct RestartPolicy: Sendable, Equatable {
    /// Delay before the first restart; doubles with each crash in the window.
    public var initialDelayMilliseconds: Int = 500
    public var maximumDelayMilliseconds: Int = 30_000
    /// This many crashes within `crashLoopWindowSeconds` is a crash loop...
    public var crashLoopLimit: Int = 5
    public var crashLoopWindowSeconds: Int = 60
    /// ...and restarts are then held back this long.
    public var crashLoopHoldSeconds: Int = 300

    public init() {}
}
