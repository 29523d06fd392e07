import ArgumentParser
import ProctorHost
import ProctorJSON

struct PluginsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins",
        abstract: "List the configured plugins: library, ABI, and whether each loads (and why not).")

    @OptionGroup var configOption: ConfigOption
    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func run() async throws {
        let paths = AgentPaths.fromEnvironment()
        let (config, _) = try loadConfig(configOption, paths: paths)
        let inspection = await Agent.inspect(config, paths: paths, executable: Environment.executablePath, spawner: ProcessSpawner(), includeDisabled: true)
        if json {
            print(JSONWriter.compact(.array(inspection.reports.map(\.json))))
            return
        }
        for report in inspection.reports {
            let state: String
            switch report.outcome {
            case .success(let manifest)?: state = "loads   ABI \(manifest.abiMajor).\(manifest.abiMinor)  \(manifest.name) \(manifest.version)"
            case .failure(let error)?: state = "FAILS   \(error)"
            case nil: state = "not checked"
            }
            let enabled = report.entry.enabled ? "" : " (disabled)"
            print("\(report.entry.id)\(enabled)\n  library: \(report.libraryPath)\n  \(state)")
        }
    }
}
