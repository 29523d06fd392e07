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
        // Sockets systemd handed over (proctord.socket) are checked before anything starts.
        let activated: [SocketActivation.Listener]
        do { activated = try SocketActivation.listeners() } catch {
            printError("\(error)")
            throw ExitStatusCode.config
        }
        let signals = SignalWaiter([SIGINT, SIGTERM])
        let agent = Agent(config: config, paths: paths, logger: logger, executable: Environment.executablePath)
        let printer = patterns.isEmpty ? nil : EventPrinter(subscription: agent.bus.subscribe(name: "stdout", patterns: patterns))
        let service = ServiceReporter()
        let stateChanges = agent.bus.subscribe(name: "systemd-status", patterns: [TopicPattern("plugin.state")!])
        do { try await agent.start() } catch {
            printError(error.description)
            throw ExitStatusCode.config
        }
        let api = APIServer(agent: agent, config: config.api, paths: paths, logger: logger, activated: activated)
        let running = Task { await agent.runUntilCancelled(notifier: service.notifier) }
        // Serve until a signal arrives or the API fails; either way stop in order:
        // pages are told the agent is going away, then every plugin is stopped.
        let stopReason = await withTaskGroup(of: String?.self) { group in
            group.addTask { await signals.wait().map { $0 == SIGTERM ? "SIGTERM" : "SIGINT" } }
            group.addTask {
                let (listening, nowListening) = AsyncStream.makeStream(of: Int.self)
                let reporting = Task {
                    guard let port = await listening.first(where: { _ in true }) else { return }
                    await Self.reportToSystemd(
                        service, agent: agent, api: api, port: port, updates: stateChanges, socketActivated: !activated.isEmpty,
                        logger: logger)
                }
                defer { reporting.cancel() }
                do {
                    try await api.run { nowListening.yield($0) }
                } catch { return "the local API failed: \(error)" }
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

    /// READY=1 once the plugins are up and the API answers on `port`, then
    /// STATUS= on each plugin change and the watchdog, until cancelled.
    private static func reportToSystemd(
        _ service: ServiceReporter, agent: Agent, api: APIServer, port: Int, updates: Subscription, socketActivated: Bool,
        logger: Logger
    ) async {
        guard service.notifier.isActive else { return updates.cancel() }
        await ServiceReporter.waitForPlugins(agent, updates: updates, limit: .seconds(30))
        updates.cancel()
        guard !Task.isCancelled else { return }
        // Subscribed before the state READY=1 reports is read: no change falls between.
        let changes = agent.bus.subscribe(name: "systemd-status", patterns: [TopicPattern("plugin.state")!])
        defer { changes.cancel() }
        let answers = await Task.detached { ServiceReporter.apiAnswers(port: port) }.value
        if !answers { logger.warning("the local API on port \(port) does not answer GET /healthz; telling systemd it is ready anyway") }
        service.ready(status: ServiceReporter.status(port: port, states: await agent.enabledPluginStates(), socketActivated: socketActivated))
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await service.followStatus(agent, updates: changes, port: port, socketActivated: socketActivated) }
            group.addTask {
                // Through the agent's actor and every supervisor's, and every event loop of the API.
                await service.feedWatchdog {
                    _ = await agent.pluginStates()
                    await api.eventLoopsTurn()
                }
            }
        }
    }
}
