#if canImport(Glibc)
import Glibc
#endif

/// Where the agent keeps things, by the XDG base-directory conventions:
/// config in `$XDG_CONFIG_HOME/proctord`, sessions and logs in
/// `$XDG_STATE_HOME/proctord`, sockets and secrets in
/// `$XDG_RUNTIME_DIR/proctord`, shipped models and assets in the data dir.
public struct AgentPaths: Sendable, Equatable {
    public var configDirectory: String
    public var stateDirectory: String
    public var runtimeDirectory: String
    public var dataDirectory: String
    /// The directory of the running proctord binary (plugins live beside it).
    public var executableDirectory: String
    /// What the install sets for every user: `/etc/proctord` for a binary in
    /// `/usr/bin`, `<prefix>/etc/proctord` otherwise (`PROCTORD_SYSTEM_CONFIG_DIR`
    /// changes it, for tests).
    public var systemConfigDirectory: String

    public init(
        configDirectory: String, stateDirectory: String, runtimeDirectory: String, dataDirectory: String,
        executableDirectory: String, systemConfigDirectory: String = "/etc/proctord"
    ) {
        self.configDirectory = configDirectory
        self.stateDirectory = stateDirectory
        self.runtimeDirectory = runtimeDirectory
        self.dataDirectory = dataDirectory
        self.executableDirectory = executableDirectory
        self.systemConfigDirectory = systemConfigDirectory
    }

    /// The paths for this user and environment, for the binary `exe` (the
    /// running one unless given: the system plugin asks for the agent's).
    public static func fromEnvironment(
        _ env: [String: String] = Environment.current, executable exe: String = Environment.executablePath
    ) -> AgentPaths {
        let home = env["HOME"] ?? "/"
        let exeDir = directory(of: exe)
        func xdg(_ name: String, _ fallback: String) -> String {
            if let value = env[name], value.hasPrefix("/") { return value + "/proctord" }
            return home + "/" + fallback + "/proctord"
        }
        // Without a runtime directory from the login manager, a directory
        // inside the user's own state directory: a fixed name in /tmp could be
        // created first by another user, who would then own the agent's sockets.
        let runtime = env["XDG_RUNTIME_DIR"].flatMap { $0.hasPrefix("/") ? $0 + "/proctord" : nil }
            ?? xdg("XDG_STATE_HOME", ".local/state") + "/run"
        return AgentPaths(
            configDirectory: xdg("XDG_CONFIG_HOME", ".config"),
            stateDirectory: xdg("XDG_STATE_HOME", ".local/state"),
            runtimeDirectory: runtime,
            dataDirectory: env["PROCTORD_DATA_DIR"] ?? shippedDataDirectory(exeDir: exeDir) ?? xdg("XDG_DATA_HOME", ".local/share"),
            executableDirectory: exeDir,
            systemConfigDirectory: env["PROCTORD_SYSTEM_CONFIG_DIR"].flatMap { $0.hasPrefix("/") ? $0 : nil }
                ?? (exeDir == "/usr/bin" ? "/etc" : exeDir + "/../etc") + "/proctord")
    }

    /// An installed tree keeps data in `<prefix>/share/proctord`; a source
    /// checkout keeps fetched models in `.data/` at the repository root.
    static func shippedDataDirectory(exeDir: String) -> String? {
        let installed = exeDir + "/../share/proctord"
        if isDirectory(installed) { return installed }
        return sourceCheckoutRoot(from: exeDir).map { $0 + "/.data" }
    }

    /// The repository root when the binary runs from `.build/...` inside it.
    static func sourceCheckoutRoot(from exeDir: String) -> String? {
        var dir = exeDir
        for _ in 0..<4 {
            dir = directory(of: dir)
            if access(dir + "/Package.swift", F_OK) == 0 && access(dir + "/plugins.json", F_OK) == 0 { return dir }
        }
        return nil
    }

    /// The agent's own page and the JavaScript client: `<prefix>/share/proctord/web`
    /// installed, `web/` in a source checkout.
    public var webDirectory: String? {
        let installed = executableDirectory + "/../share/proctord/web"
        if Self.isDirectory(installed) { return installed }
        return Self.sourceCheckoutRoot(from: executableDirectory).map { $0 + "/web" }
    }

    /// Where the plugin libraries are: `<prefix>/lib/proctord` in an
    /// installed tree (beside the Swift runtime it bundles), else beside the binary.
    public var pluginDirectory: String {
        let installed = executableDirectory + "/../lib/proctord"
        return Self.isDirectory(installed) ? installed : executableDirectory
    }

    /// The machine-wide config an administrator may edit (the Debian package's conffile).
    public var systemConfigFile: String { systemConfigDirectory + "/plugins.json" }

    /// The default config that ships with the agent.
    public var shippedConfigFile: String? {
        let installed = executableDirectory + "/../share/proctord/plugins.json"
        if access(installed, F_OK) == 0 { return installed }
        return Self.sourceCheckoutRoot(from: executableDirectory).map { $0 + "/plugins.json" }
    }

    package static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }
}

/// The process environment and the running binary's path.
public enum Environment {
    public static var current: [String: String] {
        var out: [String: String] = [:]
        var cursor = environ
        while let entry = cursor.pointee {
            let text = String(cString: entry)
            if let eq = text.firstIndex(of: "=") { out[String(text[..<eq])] = String(text[text.index(after: eq)...]) }
            cursor += 1
        }
        return out
    }

    /// /proc/self/exe resolved, so children run the very same binary.
    public static var executablePath: String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return CommandLine.arguments[0] }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
