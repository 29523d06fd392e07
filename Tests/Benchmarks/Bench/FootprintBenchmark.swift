#if canImport(Glibc)
import Glibc
#endif
import Foundation
import ProctorJSON
import ProctorTestSupport

/// The footprint of the agent as it runs in the background (issue 18): the
/// real `proctord run` (this build) with the shipped plugins.json on a free
/// port, no camera and no display, as the figures were taken. Prints
/// how long until every plugin has left `starting` and until READY=1, then
/// each process's resident memory (VmRSS, and Pss, which splits the pages
/// processes share) idle, and the tree's total. With `workSeconds` the gaze
/// plugin then reads single_face.mp4 at 30 frames/s (looped) for that long and
/// the figures are taken again: `BENCH_FOOTPRINT_WORK_SECONDS=600` for the
/// issue's 10 minutes (what `make bench` sets; 0, the default here, leaves them out).
struct FootprintBenchmark {
    let idleSeconds: Double
    let workSeconds: Double

    /// The figures before the lean children (agent, a plain plugin
    /// child, the gaze child, the tree with five plugins), in MiB.
    static let before = (agent: 34.0, plainChild: 24.0, gaze: 162.0, tree: 295.0)
    static let targets = (tree: 120.0, plainCChild: 8.0, swiftChild: 15.0, startMilliseconds: 500.0)
    /// The plugins written in C: their child holds no Swift plugin code.
    static let cPlugins: Set<String> = ["heartbeat"]

    func run() async throws -> [Figure] {
        var figures: [Figure] = []
        let directory = TemporaryDirectory("proctord-footprint")
        var config = try JSONParser.parse(String(contentsOfFile: TestBuild.repositoryRoot + "/plugins.json", encoding: .utf8))
        config = try Self.onFreePort(config)
        let ids = (config["plugins"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue }
        let idleConfig = directory.write("plugins.json", JSONWriter.compact(config))
        let first = try await start(config: idleConfig, plugins: ids, stateDirectory: directory.path + "/state", notify: directory.path + "/notify")
        let agent = first.agent
        figures += first.figures

        do {
            try await Task.sleep(for: .seconds(idleSeconds))
            figures += try memory(of: agent.pid, plugins: ids, when: "idle \(Int(idleSeconds)) s")
        } catch {
            agent.signal(SIGTERM)
            throw error
        }
        // Every later start: the same state directory, so the landmark model is
        // mapped from the cache the first start wrote instead of converted.
        agent.signal(SIGTERM)
        guard await agent.waitForExit(timeout: .seconds(30)) != nil else {
            agent.signal(SIGKILL)
            throw BenchError("the first agent did not stop on SIGTERM within 30 s")
        }
        let again = try await start(config: idleConfig, plugins: ids, stateDirectory: directory.path + "/state",
                                    notify: directory.path + "/notify-again", when: "again, cached")
        again.agent.signal(SIGTERM)
        if await again.agent.waitForExit(timeout: .seconds(30)) == nil { again.agent.signal(SIGKILL) }
        figures += again.figures

        if workSeconds > 0 {
            figures += try await work(directory: directory, config: config)
        }
        return figures
    }

    /// `proctord run` with `config`: how long until every plugin has left
    /// `starting`, until READY=1, and until the gaze plugin has its landmark
    /// model (the first start of a state directory converts dlib's file; a
    /// later one maps the cache it wrote).
    private func start(config: String, plugins ids: [String], stateDirectory: String, notify: String,
                       when: String = "first") async throws -> (agent: AgentProcess, figures: [Figure]) {
        var figures: [Figure] = []
        let listener = try NotifyListener(path: notify)
        let launched = ContinuousClock.now
        let agent = try AgentProcess(
            arguments: ["run", "--config", config, "--state-dir", stateDirectory, "--print-events", "plugin.state"],
            environment: ["DISPLAY": nil, "WAYLAND_DISPLAY": nil, "NOTIFY_SOCKET": listener.path, "WATCHDOG_USEC": nil])

        // Start: polled every 2 ms, so within a few ms of the last state change.
        var settled: ContinuousClock.Instant?
        _ = await eventually(timeout: .seconds(60), every: .milliseconds(2)) {
            guard Self.settled(agent.events, plugins: ids) else { return false }
            settled = .now
            return true
        }
        guard let settled else {
            agent.signal(SIGTERM)
            throw BenchError("plugins did not leave starting:\n\(agent.log.suffix(30).joined(separator: "\n"))")
        }
        figures.append(Figure(name: "start (\(when)): every plugin running/degraded (\(ids.count))", value: Self.milliseconds(settled - launched),
                              unit: "ms", target: Self.targets.startMilliseconds, higherIsBetter: false))
        if let ready = await listener.wait(for: "READY", timeout: .seconds(60)) {
            figures.append(Figure(name: "start (\(when)): run to READY=1", value: Self.milliseconds(ready.arrived - launched), unit: "ms",
                                  target: Self.targets.startMilliseconds, higherIsBetter: false))
        }
        for state in Self.lastStates(agent.events) where state.value.name != "running" {
            FileHandle.standardOutput.write(Data("  (\(state.key) \(state.value.name): \(state.value.reason.prefix(100)))\n".utf8))
        }

        // Settled counts the gaze plugin reading its model as degraded, as the
        // service manager sees it; idle memory is only idle once the model is in.
        var loaded: ContinuousClock.Instant?
        _ = await eventually(timeout: .seconds(120), every: .milliseconds(5)) {
            guard !Self.lastStates(agent.events).values.contains(where: { $0.reason.contains(Self.loadingModel) }) else { return false }
            loaded = .now
            return true
        }
        guard let loaded else {
            agent.signal(SIGTERM)
            throw BenchError("the gaze plugin did not finish loading its model:\n\(agent.log.suffix(30).joined(separator: "\n"))")
        }
        figures.append(Figure(name: "start (\(when)): the landmark model loaded", value: Self.milliseconds(loaded - launched), unit: "ms",
                              target: Self.targets.startMilliseconds, higherIsBetter: false))
        return (agent, figures)
    }

    /// The gaze plugin's degraded reason while it reads its landmark model.
    static let loadingModel = "loading the landmark model"

    /// Each process's VmRSS and Pss, and the tree's, as figures.
    func memory(of agent: Int32, plugins: [String], when: String) throws -> [Figure] {
        let children = try IdleBenchmark.children(of: agent, plugins: plugins)
        let processes = [("agent", agent)] + plugins.compactMap { id in children[id].map { (id, $0) } }
        var figures: [Figure] = []
        var tree = (rss: 0.0, pss: 0.0)
        for (name, pid) in processes {
            guard let usage = Self.usage(of: pid) else { continue }
            tree.rss += usage.rss
            tree.pss += usage.pss
            let (target, before): (Double?, Double?) = switch name {
            case "agent": (nil, Self.before.agent)
            case "gaze": (nil, Self.before.gaze)
            case _ where Self.cPlugins.contains(name): (Self.targets.plainCChild, Self.before.plainChild)
            default: (Self.targets.swiftChild, Self.before.plainChild)
            }
            figures.append(Figure(name: "\(name) resident, \(when)", value: usage.rss, unit: "MiB", target: target, higherIsBetter: false,
                                  before: before))
            figures.append(Figure(name: "\(name) proportional share (Pss), \(when)", value: usage.pss, unit: "MiB", target: nil,
                                  higherIsBetter: false))
            if name == "gaze" {  // a camera's child maps no decoder (libgaze-file-sources.so, loaded for files only)
                figures.append(Figure(name: "gaze shared libraries mapped, \(when)", value: Double(Processes.sharedLibraries(pid).count), unit: "",
                                      target: nil, higherIsBetter: false))
            }
        }
        figures.append(Figure(name: "tree resident (\(processes.count) processes), \(when)", value: tree.rss, unit: "MiB",
                              target: Self.targets.tree, higherIsBetter: false, before: Self.before.tree))
        figures.append(Figure(name: "tree Pss, \(when)", value: tree.pss, unit: "MiB", target: nil, higherIsBetter: false))
        // The same tree with each shared page counted once (ResidentPages; needs root), against the same target.
        if let unique = ResidentPages.uniqueMiB(of: processes.map(\.1)) {
            figures.append(Figure(name: "tree resident, each page once, \(when)", value: unique, unit: "MiB",
                                  target: Self.targets.tree, higherIsBetter: false))
        }
        return figures
    }

    /// The agent again with the gaze plugin on a file at 30 frames/s for `workSeconds`.
    /// The agent's memory is sampled every minute beside how many events it has
    /// published (the seq of its latest `heartbeat.tick`), so its replay ring
    /// (`bus.replay_events`, `bus.replay_mib`) can be seen filling and then
    /// staying full: the growth over the run's second half is the figure.
    private func work(directory: TemporaryDirectory, config: JSONValue) async throws -> [Figure] {
        let video = try GazeFixtures.file(GazeFixtures.singleFace)
        let working = try Self.withGazeSource(config, source: "file:" + video)
        let file = directory.write("working.json", JSONWriter.compact(working))
        let ids = (working["plugins"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue }
        let agent = try AgentProcess(
            arguments: ["run", "--config", file, "--state-dir", directory.path + "/state-work",
                        "--print-events", "plugin.state", "--print-events", "heartbeat.*"],
            environment: ["DISPLAY": nil, "WAYLAND_DISPLAY": nil, "NOTIFY_SOCKET": nil, "WATCHDOG_USEC": nil])
        defer { agent.signal(SIGTERM) }
        guard await eventually(timeout: .seconds(60), { Self.settled(agent.events, plugins: ids) }) else {
            throw BenchError("plugins did not leave starting:\n\(agent.log.suffix(30).joined(separator: "\n"))")
        }
        let began = ContinuousClock.now
        let firstLook = min(30, workSeconds)
        try await Task.sleep(until: began + .seconds(firstLook))
        let early = try memory(of: agent.pid, plugins: ids, when: "working \(Int(firstLook)) s")
        var samples: [(seconds: Double, agent: Double, published: Int)] = []
        func sample(_ seconds: Double) {
            let published = agent.events.last(where: { $0["topic"]?.stringValue?.hasPrefix("heartbeat.") ?? false })?["seq"]?.intValue ?? 0
            samples.append((seconds, Self.usage(of: agent.pid)?.rss ?? 0, published))
        }
        sample(firstLook)
        var next = 60.0
        while next < workSeconds {
            try await Task.sleep(until: began + .seconds(next))
            sample(next)
            next += 60
        }
        try await Task.sleep(until: began + .seconds(workSeconds))
        sample(workSeconds)
        let late = try memory(of: agent.pid, plugins: ids, when: "working \(Int(workSeconds)) s")
        let growth = (late.last(where: { $0.name.hasPrefix("tree resident") })?.value ?? 0)
            - (early.last(where: { $0.name.hasPrefix("tree resident") })?.value ?? 0)
        var figures = early + late + [Figure(name: "tree growth from \(Int(firstLook)) s to \(Int(workSeconds)) s of work", value: growth,
                                             unit: "MiB", target: nil, higherIsBetter: false)]
        for point in samples {
            figures.append(Figure(name: "agent resident at \(Int(point.seconds)) s, \(point.published) events published", value: point.agent,
                                  unit: "MiB", target: nil, higherIsBetter: false))
        }
        if let middle = samples.first(where: { $0.seconds >= workSeconds / 2 }), let last = samples.last, last.seconds > middle.seconds {
            figures.append(Figure(name: "agent growth over the second half (\(Int(middle.seconds)) to \(Int(last.seconds)) s)",
                                  value: last.agent - middle.agent, unit: "MiB", target: nil, higherIsBetter: false))
        }
        return figures
    }

    static func usage(of pid: Int32) -> (rss: Double, pss: Double)? {
        func kibibytes(_ file: String, _ key: String) -> Double? {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8),
                let line = text.split(separator: "\n").first(where: { $0.hasPrefix(key) })
            else { return nil }
            return line.split(separator: " ").dropFirst().first.flatMap { Double($0) }
        }
        guard let rss = kibibytes("/proc/\(pid)/status", "VmRSS:"), let pss = kibibytes("/proc/\(pid)/smaps_rollup", "Pss:") else { return nil }
        return (rss / 1024, pss / 1024)
    }

    /// Each plugin's last state and reason from the `plugin.state` events.
    static func lastStates(_ events: [JSONValue]) -> [String: (name: String, reason: String)] {
        var states: [String: (name: String, reason: String)] = [:]
        for event in events where event["topic"] == "plugin.state" {
            guard let plugin = event["data"]?["plugin"]?.stringValue, let name = event["data"]?["state"]?.stringValue else { continue }
            states[plugin] = (name, event["data"]?["reason"]?.stringValue ?? "")
        }
        return states
    }

    static func settled(_ events: [JSONValue], plugins: [String]) -> Bool {
        let states = lastStates(events)
        return plugins.allSatisfy { states[$0].map { $0.name != "starting" } ?? false }
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }

    static func onFreePort(_ shipped: JSONValue) throws -> JSONValue {
        guard case .object(var top) = shipped, case .object(var api) = top["api"] else { throw BenchError("plugins.json is not shaped as expected") }
        api["port"] = 0
        top["api"] = .object(api)
        return .object(top)
    }

    static func withGazeSource(_ config: JSONValue, source: String) throws -> JSONValue {
        guard case .object(var top) = config, case .array(var plugins) = top["plugins"] else { throw BenchError("plugins.json is not shaped as expected") }
        for index in plugins.indices where plugins[index]["id"] == "gaze" {
            guard case .object(var entry) = plugins[index], case .object(var settings) = entry["config"] ?? [:] else { continue }
            settings["source"] = .string(source)
            settings["fps"] = 30
            entry["config"] = .object(settings)
            plugins[index] = .object(entry)
        }
        top["plugins"] = .array(plugins)
        return .object(top)
    }
}
