#if canImport(Glibc)
import Glibc
#endif
import ProctorJSON

/// Reads `plugins.json`, from the first of: `--config FILE`,
/// `$XDG_CONFIG_HOME/proctord/plugins.json`, the default shipped with the
/// agent. The chosen file is used whole; files are never merged, so what a
/// person reads in one file is what runs.
public enum ConfigLoader {
    public static let defaultPort = 47615

    /// The file to use and why it was chosen.
    public static func locate(explicit: String?, paths: AgentPaths) throws(ConfigError) -> (file: String, source: String) {
        if let explicit { return (explicit, "--config") }
        let user = paths.configDirectory + "/plugins.json"
        if access(user, F_OK) == 0 { return (user, "user config") }
        if access(paths.systemConfigFile, F_OK) == 0 { return (paths.systemConfigFile, "system config") }
        if let shipped = paths.shippedConfigFile, access(shipped, F_OK) == 0 { return (shipped, "default config") }
        throw ConfigError(file: user, location: .file, message: "no config found: pass --config FILE or create this file")
    }

    public static func load(file: String) throws(ConfigErrors) -> AgentConfig {
        let bytes: [UInt8]
        do { bytes = try readFile(file) } catch {
            throw ConfigErrors([ConfigError(file: file, location: .file, message: error.description)])
        }
        let json: JSONValue
        do { json = try JSONParser.parse(bytes) } catch {
            throw ConfigErrors([ConfigError(file: file, location: .text(line: error.line, column: error.column), message: error.message)])
        }
        return try parse(json, file: file)
    }

    public static func parse(_ json: JSONValue, file: String) throws(ConfigErrors) -> AgentConfig {
        let schema = try! JSONSchema(AgentConfigSchema.schema)
        var errors = schema.violations(of: json).map { ConfigError(file: file, path: $0.path, message: $0.message) }
        guard errors.isEmpty else { throw ConfigErrors(errors) }

        let api = json["api"]
        let defaultRestart = restartPolicy(json["restart"], base: RestartPolicy())
        var plugins: [AgentConfig.PluginEntry] = []
        var seen: [String: Int] = [:]
        for (index, entry) in (json["plugins"]?.arrayValue ?? []).enumerated() {
            let path = JSONPath.root.appending("plugins").appending(index)
            let id = entry["id"]!.stringValue!
            if let first = seen[id] {
                errors.append(ConfigError(file: file, path: path.appending("id"), message: "duplicate plugin id \"\(id)\" (first at $.plugins[\(first)])"))
            }
            seen[id] = index
            plugins.append(AgentConfig.PluginEntry(
                id: id, library: entry["library"]!.stringValue!, enabled: entry["enabled"]?.boolValue ?? true,
                config: entry["config"] ?? [:], restart: restartPolicy(entry["restart"], base: defaultRestart),
                hangTimeoutMilliseconds: entry["hang_timeout_ms"]?.intValue ?? 5000, path: path))
        }
        var guidelines = GuidelineDefaults.guidelines
        if let rules = json["guidelines"]?["rules"] {
            switch GuidelineParser.rules(rules, at: JSONPath.root.appending("guidelines").appending("rules")) {
            case .success(let parsed): guidelines = parsed
            case .failure(let problems): errors += problems.all.map { ConfigError(file: file, path: $0.path, message: $0.message) }
            }
        }
        guard errors.isEmpty else { throw ConfigErrors(errors) }
        var store = InterviewManager.Settings()
        if let v = json["store"]?["idle_end_minutes"]?.intValue { store.idleEndMinutes = v }
        if let v = json["store"]?["retention_days"]?.intValue { store.retentionDays = v }
        var bus = EventBus.Limits()
        if let v = json["bus"]?["replay_events"]?.intValue { bus.replayCount = v }
        if let v = json["bus"]?["replay_mib"]?.intValue { bus.replayBytes = v << 20 }
        var config = AgentConfig(
            file: file,
            api: .init(
                port: api?["port"]?.intValue ?? defaultPort,
                allowedOrigins: api?["allowed_origins"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                tokenLifetimeSeconds: api?["token_lifetime_s"]?.intValue ?? 4 * 3600,
                thinTopics: api?["thin_topics"]?.arrayValue?.compactMap(\.stringValue) ?? ["gaze.sample"],
                heartbeatIntervalSeconds: api?["heartbeat_interval_s"]?.intValue ?? 15),
            pluginDirectory: json["plugin_dir"]?.stringValue,
            plugins: plugins)
        config.store = store
        config.bus = bus
        config.guidelines = guidelines
        return config
    }

    /// Checks each enabled plugin's `config` against the schema its library
    /// declares; returns the config with the schema's defaults filled in.
    public static func validatePluginConfig(
        _ entry: AgentConfig.PluginEntry, manifest: PluginManifest, file: String
    ) -> Result<JSONValue, ConfigErrors> {
        let schema: JSONSchema
        do { schema = try JSONSchema(manifest.configSchema) } catch {
            return .failure(ConfigErrors([ConfigError(file: manifest.library, location: .file, message: error.description)]))
        }
        let configPath = entry.path.appending("config")
        let violations = schema.violations(of: entry.config, at: configPath)
        guard violations.isEmpty else {
            return .failure(ConfigErrors(violations.map { ConfigError(file: file, path: $0.path, message: $0.message) }))
        }
        return .success(schema.applyingDefaults(to: entry.config))
    }

    private static func restartPolicy(_ json: JSONValue?, base: RestartPolicy) -> RestartPolicy {
        var policy = base
        guard let json else { return policy }
        if let v = json["initial_delay_ms"]?.intValue { policy.initialDelayMilliseconds = v }
        if let v = json["max_delay_ms"]?.intValue { policy.maximumDelayMilliseconds = v }
        if let v = json["crash_loop_limit"]?.intValue { policy.crashLoopLimit = v }
        if let v = json["crash_loop_window_s"]?.intValue { policy.crashLoopWindowSeconds = v }
        if let v = json["crash_loop_hold_s"]?.intValue { policy.crashLoopHoldSeconds = v }
        return policy
    }
}

struct FileReadError: Error, CustomStringConvertible {
    let description: String
}

/// The whole file, or an error that says why not (no such file, permission).
func readFile(_ path: String, limit: Int = 16 << 20) throws(FileReadError) -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw FileReadError(description: String(cString: strerror(errno))) }
    defer { close(fd) }
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = read(fd, &chunk, chunk.count)
        if n < 0 {
            if errno == EINTR { continue }
            throw FileReadError(description: String(cString: strerror(errno)))
        }
        if n == 0 { return out }
        out.append(contentsOf: chunk[0..<n])
        if out.count > limit { throw FileReadError(description: "larger than \(limit) bytes") }
    }
}
