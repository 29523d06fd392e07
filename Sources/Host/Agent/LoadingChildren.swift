import Dispatch
import Logging
import Synchronization

/// The plugin children the agent starts before it has checked their configs:
/// each one's hello answers for the load probe, and the child is kept (by
/// config entry id) to run the plugin once the configs pass. What is not
/// taken is killed.
final class LoadingChildren: Sendable {
    private let spawner: ProcessSpawner
    private let logger: Logger
    private let paths: AgentPaths
    private let children = Mutex<[String: LoadingChild]>([:])
    var timeoutSeconds: Double { PluginProbe.loadTimeoutSeconds }

    init(spawner: ProcessSpawner, logger: Logger, paths: AgentPaths) {
        self.spawner = spawner
        self.logger = logger
        self.paths = paths
    }

    /// Starts the plugin's child and waits for its hello: the manifest, or
    /// why the library cannot be loaded (in the probe's words).
    func load(_ report: PluginReport, host: String) async -> Result<PluginManifest, PluginLoadError> {
        let id = report.entry.id
        let child: LoadingChild
        do {
            child = try LoadingChild.spawn(
                .init(instanceID: id, executable: PluginHostExecutable.host(for: report.libraryPath, swiftHost: host),
                      library: report.libraryPath, paths: paths),
                spawner: spawner, logger: logger)
        } catch {
            return .failure(.cannotOpen(path: report.libraryPath, reason: "cannot run \(host): \(error)"))
        }
        // The wait blocks a thread for as long as the library takes to load.
        let outcome = await withCheckedContinuation { continuation in
            DispatchQueue.global().async { [timeoutSeconds] in
                continuation.resume(returning: child.awaitHello(instanceID: id, timeoutSeconds: timeoutSeconds))
            }
        }
        if case .success = outcome { children.withLock { $0[id] = child } }
        return outcome
    }

    /// The loaded child for config entry `id`, handed over once.
    func take(_ id: String) -> LoadingChild? {
        children.withLock { $0.removeValue(forKey: id) }
    }

    func discardAll(reason: String) {
        let left: [String: LoadingChild] = children.withLock { all in
            let taken = all
            all.removeAll()
            return taken
        }
        for (id, child) in left { child.discard(instanceID: id, reason: reason) }
    }
}
