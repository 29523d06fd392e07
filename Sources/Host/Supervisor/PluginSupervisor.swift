import Logging
import ProctorJSON

/// Keeps one plugin running in a child process: starts it, restarts it with
/// backoff when it crashes, hangs or fails to start, holds restarts back in a
/// crash loop, and publishes every change as a `plugin.state` event. The
/// decisions are the state machine's; this actor carries them out.
public actor PluginSupervisor {
    public nonisolated let id: String
    private let spec: ChildPlugin.Spec
    private let bus: EventBus
    private let spawner: ProcessSpawner
    private let logger: Logger
    private var machine: SupervisorStateMachine
    private var child: ChildPlugin?
    /// The child whose hello was the agent's load probe: the first launch runs the plugin in it.
    private var loaded: LoadingChild?
    private var restartTimer: Task<Void, Never>?
    private var stopWaiters: [CheckedContinuation<Void, Never>] = []
    private var droppedInChild: UInt64 = 0
    private let clock = ContinuousClock()
    private let epoch: ContinuousClock.Instant

    public private(set) var state: PluginState

    init(
        id: String, spec: ChildPlugin.Spec, policy: RestartPolicy, bus: EventBus, spawner: ProcessSpawner, logger: Logger,
        loaded: LoadingChild? = nil
    ) {
        self.id = id
        self.loaded = loaded
        self.spec = spec
        self.bus = bus
        self.spawner = spawner
        var logger = logger
        logger[metadataKey: "plugin"] = .string(id)
        self.logger = logger
        self.machine = SupervisorStateMachine(policy: policy)
        self.state = PluginState(plugin: id, name: .starting)
        self.epoch = clock.now
    }

    public nonisolated var manifest: PluginManifest { spec.manifest }

    /// The running child's pid, for tests and the local page.
    public var pid: Int32? { child?.pid }

    public func start() { handle(.launch) }

    /// Stops the plugin (its child gets `stop`, then SIGKILL after a grace
    /// period) and returns once it is stopped.
    public func stop() async {
        if let unused = loaded {
            loaded = nil
            unused.discard(instanceID: id, reason: "stopped before it ran; killed")
        }
        handle(.stopRequested)
        if machine.state == .stopped { return }
        await withCheckedContinuation { stopWaiters.append($0) }
    }

    /// Forwards a request to the plugin and returns its JSON answer.
    public func request(_ json: String) async throws -> String {
        guard let child, case .running = machine.state else {
            throw ChildPlugin.RequestError(description: "plugin \(id) is \(state.name.rawValue)")
        }
        return try await child.request(json)
    }

    private var now: Double {
        let elapsed = clock.now - epoch
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    private func handle(_ input: SupervisorStateMachine.Input) {
        for action in machine.handle(input, now: now) {
            switch action {
            case .spawn: spawn()
            case .stopChild:
                if let child { Task { await child.stop(grace: .seconds(2)) } }
            case .scheduleRestart(let delay):
                restartTimer = Task { [weak self] in
                    guard (try? await Task.sleep(for: delay)) != nil else { return }
                    await self?.handle(.restartDue)
                }
            case .cancelRestart:
                restartTimer?.cancel()
                restartTimer = nil
            case .publish: publish()
            }
        }
        if machine.state == .stopped {
            stopWaiters.forEach { $0.resume() }
            stopWaiters.removeAll()
        }
    }

    private func spawn() {
        droppedInChild = 0
        let (events, continuation) = AsyncStream.makeStream(of: ChildPlugin.Lifecycle.self)
        do {
            let child: ChildPlugin
            if let first = loaded {
                loaded = nil
                child = ChildPlugin.adopt(first, spec: spec, bus: bus, logger: logger) { continuation.yield($0) }
            } else {
                child = try ChildPlugin.launch(spec, spawner: spawner, bus: bus, logger: logger) { continuation.yield($0) }
            }
            self.child = child
            // One consumer per child keeps its lifecycle in order.
            Task { [weak self] in
                for await event in events {
                    await self?.lifecycle(event, from: child)
                    if case .exited = event { break }
                }
            }
        } catch {
            child = nil
            handle(.exited(reason: "\(error)"))
        }
    }

    private func lifecycle(_ event: ChildPlugin.Lifecycle, from source: ChildPlugin) {
        guard source === child else { return }
        switch event {
        case .started: handle(.started)
        case .health(let degraded): handle(.health(degraded: degraded))
        case .dropped(let total):
            let delta = total &- droppedInChild
            droppedInChild = total
            bus.publish(topic: "bus.dropped", data: [
                "plugin": .string(id), "where": "plugin", "dropped": .number(Double(delta)), "total": .number(Double(total)),
            ])
        case .exited(let reason):
            child = nil
            handle(.exited(reason: reason))
        }
    }

    private func publish() {
        state = PluginState(plugin: id, machine: machine)
        bus.publish(topic: "plugin.state", data: state.json)
        let text = "plugin \(id): \(state.name.rawValue)" + (state.reason.map { ": \($0)" } ?? "")
            + (state.retryInMilliseconds.map { "; retrying in \(Double($0) / 1000) s" } ?? "")
        switch state.name {
        case .crashed, .held: logger.error("\(text)")
        case .degraded: logger.warning("\(text)")
        case .running where state.restarts > 0: logger.notice("\(text) (after \(state.restarts) restarts)")
        default: logger.info("\(text)")
        }
    }
}
