import Logging
import ProctorJSON

/// The running agent: looks at every configured plugin, refuses to start on
/// a config error, skips plugins that cannot load (saying why), and
/// supervises the rest until it is cancelled, then stops them all.
public actor Agent {
    public let config: AgentConfig
    public let paths: AgentPaths
    public nonisolated let bus: EventBus
    /// The running interview and its store.
    public nonisolated let interviews: InterviewManager
    /// The guidelines' rules over the running interview: alerts and the summary.
    public nonisolated let integrity: IntegrityMonitor
    /// The interviewee's desktop notifications, through the session plugin.
    public nonisolated let notices: DesktopNotifier
    /// The running interview's gaze analytics and live heatmaps.
    private let gaze: LiveGazeAnalytics
    private let logger: Logger
    /// The agent's own binary; plugin children run `proctord-plugin-host` found from it.
    private let executable: String
    private let spawner = ProcessSpawner()
    public private(set) var supervisors: [String: PluginSupervisor] = [:]
    public private(set) var reports: [PluginReport] = []
    /// The enabled plugins that could not be started, and why.
    private var skipped: [PluginState] = []

    /// `clock` is the wall clock interviews are timed by; tests move it to reach the idle limit.
    /// Without `bus`, the agent makes its own with the config's limits.
    public init(
        config: AgentConfig, paths: AgentPaths, bus: EventBus? = nil, logger: Logger, executable: String,
        clock: @escaping @Sendable () -> Timestamp = { .now() }
    ) {
        self.config = config
        self.paths = paths
        let bus = bus ?? EventBus(limits: config.bus)
        self.bus = bus
        let directory = paths.stateDirectory + "/interviews"
        // Both subscribe before `start` may publish interview.resumed.
        let integrity = IntegrityMonitor(guidelines: config.guidelines, bus: bus, logger: logger, directory: directory)
        self.integrity = integrity
        gaze = LiveGazeAnalytics(bus: bus, directory: directory, logger: logger)
        notices = DesktopNotifier(bus: bus, logger: logger)
        self.interviews = InterviewManager(
            directory: directory, settings: config.store, bus: bus, logger: logger, clock: clock,
            beforeEnd: { id in await integrity.interviewEnding(id) })
        self.logger = logger
        self.executable = executable
    }

    /// Probes the enabled plugins in parallel and checks their configs
    /// against their schemas. Throws every config error at once; a plugin that
    /// cannot load is only reported.
    public static func inspect(
        _ config: AgentConfig, paths: AgentPaths, executable: String, spawner: ProcessSpawner, includeDisabled: Bool = false
    ) async -> (reports: [PluginReport], configs: [String: JSONValue], errors: [ConfigError], host: String?) {
        await inspect(config, paths: paths, executable: executable, includeDisabled: includeDisabled) { host, report in
            await PluginProbe(executable: host, spawner: spawner).describe(library: report.libraryPath)
        }
    }

    /// `inspect` with the probe given: `describe` reads one plugin's manifest
    /// with the plugin host at the path it is passed.
    static func inspect(
        _ config: AgentConfig, paths: AgentPaths, executable: String, includeDisabled: Bool = false,
        describe: @escaping @Sendable (String, PluginReport) async -> Result<PluginManifest, PluginLoadError>
    ) async -> (reports: [PluginReport], configs: [String: JSONValue], errors: [ConfigError], host: String?) {
        var reports = config.plugins.map {
            PluginReport(entry: $0, libraryPath: config.libraryPath(for: $0, paths: paths), outcome: nil)
        }
        var found: String?
        switch PluginHostExecutable.locate(agent: executable) {
        case .failure(let missing):
            for index in reports.indices where reports[index].entry.enabled || includeDisabled { reports[index].outcome = .failure(missing) }
        case .success(let host):
            found = host
            await withTaskGroup(of: (Int, Result<PluginManifest, PluginLoadError>).self) { group in
                for (index, report) in reports.enumerated() where report.entry.enabled || includeDisabled {
                    group.addTask { (index, await describe(host, report)) }
                }
                for await (index, outcome) in group { reports[index].outcome = outcome }
            }
        }
        var configs: [String: JSONValue] = [:]
        var errors: [ConfigError] = []
        for report in reports where report.entry.enabled {
            guard let manifest = report.manifest else { continue }
            switch ConfigLoader.validatePluginConfig(report.entry, manifest: manifest, file: config.file) {
            case .success(let filled): configs[report.entry.id] = filled
            case .failure(let failure): errors += failure.errors
            }
        }
        return (reports, configs, errors, found)
    }

    /// Starts every plugin that can run and returns; throws on config errors
    /// before any plugin is created. Each plugin's child is started first and
    /// its hello is the load probe (see `LoadingChildren`); the children of a
    /// config that is refused are killed.
    public func start() async throws(ConfigErrors) {
        let children = LoadingChildren(spawner: spawner, logger: logger, paths: paths)
        let (reports, configs, errors, host) = await Self.inspect(config, paths: paths, executable: executable) { host, report in
            await children.load(report, host: host)
        }
        guard errors.isEmpty else {
            children.discardAll(reason: "the config was refused; killed")
            throw ConfigErrors(errors)
        }
        self.reports = reports
        // Before anything is published: a continued interview continues the seq numbering.
        await interviews.startUp()
        for report in reports where report.entry.enabled {
            // No host program means no manifest: `inspect` reported each plugin as not loadable.
            guard let manifest = report.manifest, let pluginConfig = configs[report.entry.id], let host else {
                let reason = report.loadError?.description ?? "not loadable"
                logger.error("plugin \(report.entry.id) skipped: \(reason)")
                let state = PluginState(plugin: report.entry.id, name: .failed, reason: reason)
                skipped.append(state)
                bus.publish(topic: "plugin.state", data: state.json)
                continue
            }
            let spec = ChildPlugin.Spec(
                instanceID: report.entry.id, executable: PluginHostExecutable.host(for: report.libraryPath, swiftHost: host),
                library: report.libraryPath, manifest: manifest,
                config: JSONWriter.compact(pluginConfig),
                hangTimeout: .milliseconds(report.entry.hangTimeoutMilliseconds),
                paths: paths)
            let supervisor = PluginSupervisor(
                id: report.entry.id, spec: spec, policy: report.entry.restart, bus: bus, spawner: spawner, logger: logger,
                loaded: children.take(report.entry.id))
            supervisors[report.entry.id] = supervisor
            if manifest.id == DesktopNotifier.pluginID { notices.attach(supervisor) }
            await supervisor.start()
        }
        children.discardAll(reason: "not run; killed")
        for report in reports where !report.entry.enabled {
            logger.info("plugin \(report.entry.id) is disabled in \(config.file)")
        }
    }

    /// Runs until the calling task is cancelled, reporting subscriber drops
    /// (at most once a second, and only when there are some), ending an idle
    /// interview at its deadline and deleting old interviews daily, then tells
    /// systemd it is stopping and stops every plugin. While nothing happens,
    /// only the interviews' deadlines (at least once a minute, for a wall clock
    /// that steps) wake the agent. READY=1 and the watchdog are the caller's
    /// (`ServiceReporter`): readiness needs the API's port to answer.
    public func runUntilCancelled(notifier: SystemdNotifier = SystemdNotifier()) async {
        // Not a child of the group below: it must outlive the group's
        // cancellation to take in the interview's last events at the end.
        let integrityLoop = Task { [integrity] in await integrity.run() }
        await withTaskGroup(of: Void.self) { [bus] group in
            group.addTask { [interviews] in await interviews.runHousekeeping() }
            group.addTask { [gaze] in await gaze.run() }
            group.addTask { [notices] in await notices.run() }
            group.addTask {
                while !Task.isCancelled {
                    await bus.waitForDrops()
                    Self.reportDrops(bus)
                    try? await Task.sleep(for: .seconds(1))
                }
            }
            // All run until the calling task is cancelled.
        }
        notifier.notify("STOPPING=1")
        // Written to the end before the plugins go: nothing of it is lost.
        _ = try? await interviews.end(reason: "agent_stopped")
        integrityLoop.cancel()
        await integrityLoop.value
        await stopAll()
    }

    private static func reportDrops(_ bus: EventBus) {
        for drop in bus.takeDropCounts() {
            bus.publish(topic: "bus.dropped", data: [
                "subscriber": .string(drop.subscriber), "where": "subscriber",
                "dropped": .number(Double(drop.dropped)), "total": .number(Double(drop.total)),
            ])
        }
    }

    /// Stops every plugin in parallel and waits for all of them.
    public func stopAll() async {
        await withTaskGroup(of: Void.self) { group in
            for supervisor in supervisors.values { group.addTask { await supervisor.stop() } }
        }
    }

    public func supervisor(_ id: String) -> PluginSupervisor? { supervisors[id] }

    /// Every enabled plugin's state now, those that could not even start
    /// included (as `failed`): what systemd's STATUS= line reports.
    public func enabledPluginStates() async -> [PluginState] {
        (await pluginStates() + skipped).sorted { $0.plugin < $1.plugin }
    }

    /// Each supervised plugin's state now, for an interview's start.
    public func pluginStates() async -> [PluginState] {
        var states: [PluginState] = []
        for id in supervisors.keys.sorted() { states.append(await supervisors[id]!.state) }
        return states
    }
}
