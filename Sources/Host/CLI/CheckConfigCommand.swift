import ArgumentParser
import ProctorHost

struct CheckConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Check a config file, including each plugin's settings against its schema.",
        discussion: "Exits 0 when everything would run, 78 on a config error, 1 when a plugin library cannot load.")

    @Argument(help: "The config file to check.")
    var file: String

    func run() async throws {
        let paths = AgentPaths.fromEnvironment()
        let (config, _) = try loadConfig(ConfigOption(config: file), paths: paths)
        let inspection = await Agent.inspect(config, paths: paths, executable: Environment.executablePath, spawner: ProcessSpawner())
        for error in inspection.errors { printError(error.description) }
        let unloadable = inspection.reports.filter { $0.entry.enabled && $0.loadError != nil }
        for report in unloadable { printError("plugin \(report.entry.id): \(report.loadError!)") }
        if !inspection.errors.isEmpty { throw ExitStatusCode.config }
        if !unloadable.isEmpty { throw ExitStatusCode.failure }
        print("\(file): ok (\(config.plugins.filter(\.enabled).count) plugins enabled)")
    }
}

extension ConfigOption {
    init(config: String?) {
        self.init()
        self.config = config
    }
}
