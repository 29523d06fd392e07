#if canImport(Glibc)
import Glibc
#endif
import Foundation
import ProctorHost
import ProctorJSON
import ProctorTestSupport
import Synchronization
import X11Support

/// The X11 plugins under a real X server and window manager: how long from
/// an X change (clipboard owner, focus, full screen left) to the event in a
/// bus subscriber, and what each plugin costs while nothing happens.
struct X11Benchmark {
    let trials: Int
    let idleSeconds: Double

    func run() async throws -> [Figure] {
        let desktop = try await X11TestDesktop()
        defer { desktop.stop() }
        let dir = TemporaryDirectory("proctord-bench")
        var builder = ConfigBuilder()
        builder.add(id: "screen", library: "screen", config: ["display": .string(desktop.display), "enforce": "never"])
        builder.add(id: "desktop", library: "desktop", config: ["display": .string(desktop.display), "selections": ["clipboard"]])
        var paths = AgentPaths.fromEnvironment()
        paths.stateDirectory = dir.path + "/state"
        let agent = Agent(config: try ConfigLoader.load(file: builder.write(to: dir)), paths: paths, logger: .silent,
                          executable: TestBuild.proctord)
        let received = Arrivals(agent.bus.subscribe(
            name: "bench", patterns: ["screen.fullscreen", "desktop.clipboard", "desktop.focus"].map { TopicPattern($0)! },
            capacity: 1 << 14))
        try await agent.start()
        defer { received.stop() }
        for id in ["screen", "desktop"] {
            guard await eventually(timeout: .seconds(15), { await agent.supervisor(id)?.state.name == .running }) else {
                throw BenchError("plugin \(id) did not run")
            }
        }
        let marker = try JSONParser.parse(try await agent.supervisor("screen")!.request(#"{"method":"window_marker"}"#))["result"]?["marker"]?.stringValue ?? ""
        let (_, pageID) = try await desktop.openOtherWindow("call page", geometry: "400x300+0+0", title: "bench \(marker)")
        let (_, otherID) = try await desktop.openOtherWindow("notes", geometry: "300x200+500+100", title: "bench notes")
        let page = WindowID(UInt(pageID.dropFirst(2), radix: 16)!), other = WindowID(UInt(otherID.dropFirst(2), radix: 16)!)
        let client = try X11BenchClient(display: desktop.display)

        var clipboard: [Double] = []
        for trial in 0..<trials {
            let (owner, at) = client.takeClipboard(trial: trial)
            let arrival = try await received.wait("desktop.clipboard") { $0["owner"]?.stringValue == owner.description }
            clipboard.append((arrival - at) * 1000)
        }
        var focus: [Double] = []
        let first = desktop.tools.activeWindow() == otherID ? page : other  // every trial moves focus
        for trial in 0..<trials {
            let target = trial % 2 == 0 ? first : (first == page ? other : page)
            let at = client.perform { connection in
                defer { connection.requestActivation(target) }
                return SystemMonotonicClock().now
            }
            let arrival = try await received.wait("desktop.focus") { $0["window"]?.stringValue == target.description }
            focus.append((arrival - at) * 1000)
        }
        client.perform { $0.requestFullscreen(page, true) }
        _ = try await received.wait("screen.fullscreen") { $0["full_screen"] == true }
        var left: [Double] = []
        for _ in 0..<trials {
            let at = client.perform { connection in
                defer { connection.requestFullscreen(page, false) }
                return SystemMonotonicClock().now
            }
            let arrival = try await received.wait("screen.fullscreen") { $0["change"] == "left" }
            left.append((arrival - at) * 1000)
            client.perform { $0.requestFullscreen(page, true) }
            _ = try await received.wait("screen.fullscreen") { $0["change"] == "entered" }
        }
        client.stop()

        // Idle: a desktop with windows on it, nothing happening.
        try await Task.sleep(for: .seconds(1))
        var idle: [String: Double] = [:]
        for id in ["screen", "desktop"] {
            guard let pid = await agent.supervisor(id)?.pid else { throw BenchError("plugin \(id) has no child") }
            idle[id] = cpuTicks(pid)
        }
        try await Task.sleep(for: .seconds(idleSeconds))
        for id in ["screen", "desktop"] {
            let pid = await agent.supervisor(id)!.pid!
            idle[id] = (cpuTicks(pid) - idle[id]!) / Double(sysconf(Int32(_SC_CLK_TCK))) / idleSeconds * 100
        }
        await agent.stopAll()

        func figures(_ name: String, _ samples: [Double]) -> [Figure] {
            let sorted = samples.sorted()
            return [
                Figure(name: "\(name) -> subscriber, median (\(samples.count) trials)", value: percentile(sorted, 0.5), unit: "ms",
                       target: nil, higherIsBetter: false),
                Figure(name: "\(name) -> subscriber, p99", value: percentile(sorted, 0.99), unit: "ms", target: 20, higherIsBetter: false),
            ]
        }
        return figures("clipboard owner change", clipboard) + figures("focus change", focus) + figures("full screen left", left) + [
            Figure(name: "screen plugin idle CPU (\(Int(idleSeconds)) s)", value: idle["screen"]!, unit: "% of a core", target: 0.5,
                   higherIsBetter: false),
            Figure(name: "desktop plugin idle CPU (\(Int(idleSeconds)) s)", value: idle["desktop"]!, unit: "% of a core", target: 0.5,
                   higherIsBetter: false),
        ]
    }

    /// utime + stime of a process, in clock ticks.
    private func cpuTicks(_ pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return Double(fields[11])! + Double(fields[12])!
    }
}

/// Reads a subscription in the background and notes when each event arrived
/// (monotonic seconds), so waiting for one never skews its arrival time.
final class Arrivals: Sendable {
    private final class Store: Sendable {
        let list = Mutex<[(event: Event, at: Double)]>([])
    }

    private let store = Store()
    private let subscription: Subscription
    private let reader: Task<Void, Never>

    init(_ subscription: Subscription) {
        self.subscription = subscription
        let store = self.store
        reader = Task {
            while true {
                let batch = await subscription.nextBatch(maximum: 256)
                if batch.isEmpty { return }
                let at = SystemMonotonicClock().now
                store.list.withLock { $0 += batch.map { ($0, at) } }
            }
        }
    }

    /// When the first not yet taken `topic` event matching `match` arrived;
    /// it and everything before it are taken.
    func wait(_ topic: String, timeout: Duration = .seconds(10), _ match: @escaping (JSONValue) -> Bool) async throws -> Double {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let found: Double? = store.list.withLock { list in
                guard let index = list.firstIndex(where: { $0.event.topic == topic && (try? JSONParser.parse($0.event.data)).map(match) == true }) else {
                    return nil
                }
                defer { list.removeFirst(index + 1) }
                return list[index].at
            }
            if let found { return found }
            try await Task.sleep(for: .milliseconds(1))
        }
        throw BenchError("no \(topic) event within \(timeout)")
    }

    func stop() { subscription.cancel() }
}
