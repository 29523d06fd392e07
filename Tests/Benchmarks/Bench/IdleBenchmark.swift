#if canImport(Glibc)
import Glibc
#endif
import Foundation
import ProctorJSON
import ProctorTestSupport

/// How often the agent and each plugin child wake while nothing happens: the
/// real agent (`proctord run`, this build) with the shipped plugins.json on a
/// desktop with an X server and a window manager, nobody connected. Counted as
/// context switches (voluntary and not) of each process's threads, from
/// /proc/PID/task/TID/status read once a second, so a thread that ends within
/// the window (an idle Dispatch worker does) loses at most a second of its count. Two changes to the shipped
/// file: the API on a free port, and the heartbeat plugin's interval at 60 s,
/// since a heartbeat wakes once per interval by design (1 s as shipped).
struct IdleBenchmark {
    let seconds: Double
    /// The figures before the wake-up work (issue 9), on the same machine.
    static let before = (agent: 45.0, child: 4.0)

    func run() async throws -> [Figure] {
        let desktop = try await X11TestDesktop()
        defer { desktop.stop() }
        let directory = TemporaryDirectory("proctord-idle")
        var config = try JSONParser.parse(String(contentsOfFile: TestBuild.repositoryRoot + "/plugins.json", encoding: .utf8))
        config = try Self.idle(config)
        let agent = try Self.startAgent(config, in: directory, environment: ["DISPLAY": desktop.display])
        defer { agent.signal(SIGTERM) }
        let ids = (config["plugins"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue }
        try await Self.waitUntilSettled(agent, plugins: ids)

        let children = try Self.children(of: agent.pid, plugins: ids)
        let pids = [("agent", agent.pid)] + ids.compactMap { id in children[id].map { (id, $0) } }
        var counters = pids.map { SwitchCounter(pid: $0.1) }
        let began = ContinuousClock.now
        let end = began + .seconds(seconds)
        while ContinuousClock.now < end {
            try await Task.sleep(until: min(end, ContinuousClock.now + .seconds(1)))
            for index in counters.indices { counters[index].sample() }
        }
        let elapsed = ContinuousClock.now - began
        let window = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return zip(pids, counters).map { entry, counter in
            let (name, _) = entry
            let rate = Double(counter.total) / window
            let isAgent = name == "agent"
            return Figure(
                name: isAgent ? "agent wake-ups/s while idle (\(Int(seconds)) s)" : "plugin child \(name) wake-ups/s while idle",
                value: rate, unit: "/s", target: isAgent ? 5 : 1, higherIsBetter: false,
                before: isAgent ? Self.before.agent : Self.before.child)
        }
    }

    /// The real agent (`proctord run`, this build) on `config`, with its
    /// config, state and runtime directories in `directory`, never the
    /// user's; `environment` adds to (nil: removes from) the benchmark's.
    static func startAgent(_ config: JSONValue, in directory: TemporaryDirectory, environment: [String: String?]) throws -> AgentProcess {
        let file = directory.write("plugins.json", JSONWriter.compact(config))
        for sub in ["config", "state", "runtime"] { try FileManager.default.createDirectory(atPath: directory.path + "/" + sub, withIntermediateDirectories: true) }
        chmod(directory.path + "/runtime", 0o700)
        var all: [String: String?] = [
            "XDG_CONFIG_HOME": directory.path + "/config", "XDG_STATE_HOME": directory.path + "/state",
            "XDG_RUNTIME_DIR": directory.path + "/runtime", "NOTIFY_SOCKET": nil, "WATCHDOG_USEC": nil,
        ]
        for (key, value) in environment { all[key] = value }
        return try AgentProcess(arguments: ["run", "--config", file], environment: all)
    }

    /// The shipped config on a free port, with a heartbeat once a minute.
    static func idle(_ shipped: JSONValue) throws -> JSONValue {
        guard case .object(var top) = shipped, case .object(var api) = top["api"], case .array(var plugins) = top["plugins"] else {
            throw BenchError("plugins.json is not shaped as expected")
        }
        api["port"] = 0
        top["api"] = .object(api)
        for index in plugins.indices where plugins[index]["id"] == "heartbeat" {
            guard case .object(var entry) = plugins[index], case .object(var settings) = entry["config"] ?? [:] else { continue }
            settings["interval_ms"] = 60_000
            entry["config"] = .object(settings)
            plugins[index] = .object(entry)
        }
        top["plugins"] = .array(plugins)
        return .object(top)
    }

    /// Returns once every plugin has left `starting` (running, degraded or
    /// failed) and the agent's log has then been quiet for a second.
    static func waitUntilSettled(_ agent: AgentProcess, plugins: [String]) async throws {
        guard await agent.apiPort(timeout: .seconds(60)) != nil else { throw BenchError("the agent did not start its API:\n\(agent.log.joined(separator: "\n"))") }
        let started = await eventually(timeout: .seconds(60), every: .milliseconds(100)) {
            let log = agent.log
            return plugins.allSatisfy { id in
                guard let last = log.last(where: { $0.contains("plugin \(id): ") }) else { return false }
                // The gaze plugin reads its models after its start: not idle yet.
                return !last.contains("plugin \(id): starting") && !last.contains(FootprintBenchmark.loadingModel)
            }
        }
        guard started else { throw BenchError("plugins did not start:\n\(agent.log.joined(separator: "\n"))") }
        var quiet = (count: agent.log.count, since: ContinuousClock.now)
        let settled = await eventually(timeout: .seconds(60), every: .milliseconds(100)) {
            let count = agent.log.count
            if count != quiet.count { quiet = (count, ContinuousClock.now) }
            return ContinuousClock.now - quiet.since >= .seconds(1)
        }
        guard settled else { throw BenchError("the agent kept logging:\n\(agent.log.suffix(20).joined(separator: "\n"))") }
    }

    /// The plugin children of `agent` by plugin id (library `libproctor-<id>.so`).
    static func children(of agent: Int32, plugins: [String]) throws -> [String: Int32] {
        var found: [String: Int32] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")"),
                Int32(stat[stat.index(after: close)...].split(separator: " ")[1]) == agent,
                let command = try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))
            else { continue }
            let arguments = command.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            guard let host = arguments.first, host.hasSuffix("/proctord-plugin-host") || host.hasSuffix("/proctord-plugin-host-c"),
                !arguments.contains("--describe"),
                let library = arguments.firstIndex(of: "--library").map({ arguments[$0 + 1] }),
                let id = plugins.first(where: { library.hasSuffix("/libproctor-\($0).so") })
            else { continue }
            found[id] = pid
        }
        return found
    }
}

/// The context switches of one process's threads since it was made.
struct SwitchCounter {
    let pid: Int32
    private var last: [String: Int]
    private(set) var total = 0

    init(pid: Int32) {
        self.pid = pid
        last = Self.perThread(pid)
    }

    /// Adds what each thread did since the last sample; a thread new since
    /// then counts whole.
    mutating func sample() {
        let now = Self.perThread(pid)
        for (thread, count) in now { total += count - (last[thread] ?? 0) }
        last = now
    }

    /// Voluntary and involuntary switches of each thread so far, by thread id.
    static func perThread(_ pid: Int32) -> [String: Int] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        var counts: [String: Int] = [:]
        for task in tasks {
            let status = (try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/status", encoding: .utf8)) ?? ""
            counts[task] = status.split(separator: "\n").reduce(0) { sum, line in
                guard line.hasPrefix("voluntary_ctxt_switches:") || line.hasPrefix("nonvoluntary_ctxt_switches:") else { return sum }
                return sum + (Int(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) ?? 0)
            }
        }
        return counts
    }
}
