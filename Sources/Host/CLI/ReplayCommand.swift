import ArgumentParser
import Foundation
import Logging
import ProctorHost
import ProctorJSON

struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Run one plugin over a recorded file and print its events as JSON lines on stdout.",
        discussion: "The plugin runs inside this process with its settings from the config. Plugins that watch only live sources say so.")

    @Argument(help: "The plugin's id in the config, e.g. gaze.")
    var plugin: String
    @Option(help: ArgumentHelp("The recorded input, e.g. a video file.", valueName: "FILE"))
    var source: String
    @Option(help: "Process every Nth frame or sample.")
    var every: Int = 1
    @OptionGroup var configOption: ConfigOption
    @OptionGroup var logOptions: LogOptions

    func run() async throws {
        let logger = logOptions.bootstrap()
        let paths = AgentPaths.fromEnvironment()
        let (config, _) = try loadConfig(configOption, paths: paths)
        guard every >= 1 else {
            printError("--every \(every): must be 1 or more")
            throw ExitStatusCode.usage
        }
        guard let entry = config.plugins.first(where: { $0.id == plugin }) else {
            printError("\(config.file): no plugin \"\(plugin)\" (configured: \(config.plugins.map(\.id).joined(separator: ", ")))")
            throw ExitStatusCode.usage
        }
        guard access(source, R_OK) == 0 else {
            printError("\(source): cannot read the source file: \(String(cString: strerror(errno)))")
            throw ExitStatusCode.usage
        }
        let library: PluginLibrary
        do { library = try PluginLibrary.open(path: config.libraryPath(for: entry, paths: paths)) } catch {
            printError(error.description)
            throw ExitStatusCode.failure
        }
        guard library.manifest.hasFileSource else {
            printError("plugin \(plugin) watches live sources only and cannot replay a file (capabilities: \(library.manifest.capabilities.joined(separator: ", ")))")
            throw ExitStatusCode.usage
        }
        let pluginConfig: JSONValue
        switch ConfigLoader.validatePluginConfig(entry, manifest: library.manifest, file: config.file) {
        case .success(let filled): pluginConfig = filled
        case .failure(let errors):
            printError(errors.description)
            throw ExitStatusCode.config
        }
        let output = InProcessOutput(instanceID: entry.id, manifest: library.manifest, bus: EventBus(), logger: logger) { event in
            FileHandle.standardOutput.write(Data((event.json + "\n").utf8))
        }
        do {
            let instance = try PluginInstance(library: library, config: JSONWriter.compact(pluginConfig), output: output, paths: paths)
            try instance.replay(path: source, options: JSONWriter.compact(["every": .number(Double(every))]))
        } catch {
            printError("replay of \(source) with \(plugin) failed: \(error)")
            throw ExitStatusCode.failure
        }
    }
}
