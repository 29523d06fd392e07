import ArgumentParser
import Glibc
import Logging
import ProctorAPI
import ProctorHost

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the agent in the foreground until SIGINT or SIGTERM.",
        discussion: "Logs go to stderr; under systemd each line carries its journal priority.")

    @OptionGroup var configOption: ConfigOption
    @Option(help: "The local API's port (overrides api.port in the config).")
    var port: Int?
    @Option(help: ArgumentHelp("Where sessions and logs are kept (default $XDG_STATE_HOME/proctord).", valueName: "DIR"))
    var stateDir: String?
    @Option(help: ArgumentHelp("Also print the events whose topic matches PATTERN (e.g. '*', 'plugin.*') as JSON lines on stdout.", valueName: "PATTERN"))
    var printEvents: [String] = []
    @OptionGroup var logOptions: LogOptions

    func run() async throws {
        let logger = logOptions.bootstrap()
        signal(SIGPIPE, SIG_IGN)
        var paths = AgentPaths.fromEnvironment()
        if let stateDir { paths.stateDirectory = stateDir }
        var (config, source) = try loadConfig(configOption, paths: paths)
        if let port {
            guard (0...65535).contains(port) else {
                printError("--port \(port): not a TCP port (1-65535, or 0 for any free port)")
                throw ExitStatusCode.usage
            }
            config.api.port = port
        }
        do {
            try PrivateDirectory.create(paths.stateDirectory)
            try PrivateDirectory.create(paths.runtimeDirectory)
        } catch {
            printError("\(error)")
            throw ExitStatusCode.failure
        }
        logger.notice("proctord \(ProctorVersion.string) starting with \(config.file) (\(source))")
        if let (before, after) = DescriptorLimit.raiseToHardLimit(), after > before {
            logger.info("open-file limit raised from \(before) to \(after)")
        }

        let patterns = try printEvents.map { text in
            guard let pattern = TopicPattern(text) else {
                printError("--print-events \(text): not a topic pattern ('*', 'gaze.*' or 'plugin.state')")
                throw ExitStatusCode.usage
            }
            return pattern
        }
        let signals = SignalWaiter([SIGINT, SIGTERM])
        let agent = Agent(config: config, paths: paths, logger: logger, executable: Environment.executablePath)
        let printer = patterns.isEmpty ? nil : EventPrinter(subscription: agent.bus.subscribe(name: "stdout", patterns: patterns))
        do { try await agent.start() } catch {
            printError(error.description)
            throw ExitStatusCode.config
        }
        let api = APIServer(agent: agent, config: config.api, paths: paths, logger: logger)
        let running = Task { await agent.runUntilCancelled() }
        // Serve until a signal arrives or the API fails; either way stop in order:
        // pages are told the agent is going away, then every plugin is stopped.
        let stopReason = await withTaskGroup(of: String?.self) { group in
            group.addTask { await signals.wait().map { $0 == SIGTERM ? "SIGTERM" : "SIGINT" } }
            group.addTask {
                do { try await api.run() } catch { return "the local API failed: \(error)" }
                return nil
            }
            let reason = await group.next()! ?? "the local API stopped"
            logger.notice("stopping: \(reason)")
            group.cancelAll()
            return reason
        }
        running.cancel()
        await running.value
        await printer?.finish()
        logger.notice("stopped")
        if !stopReason.hasPrefix("SIG") { throw ExitStatusCode.failure }
    }
}
