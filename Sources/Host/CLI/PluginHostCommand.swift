import ArgumentParser
import ProctorHost

/// The child side of the process model; the agent starts it, people don't.
struct PluginHostCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugin-host",
        abstract: "Host one plugin for a running agent (started by proctord itself).",
        shouldDisplay: false)

    @Option(help: "The plugin library to load.")
    var library: String
    @Flag(help: "Print the library's manifest as JSON and exit.")
    var describe = false
    @Option(help: "The socket the parent talks on.")
    var fd: Int32 = 3
    @Option(help: "The parent agent's pid.")
    var parent: Int32 = 0
    @Option(help: "The agent's state directory.")
    var stateDir: String?

    func run() throws {
        if describe { throw ExitCode(PluginProcess.describe(library: library, parent: parent)) }
        var paths = AgentPaths.fromEnvironment()
        if let stateDir { paths.stateDirectory = stateDir }
        PluginProcess.serve(library: library, fd: fd, parent: parent, paths: paths)
    }
}
