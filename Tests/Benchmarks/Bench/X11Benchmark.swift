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
/// an X change (clipboard owner, focus, full screen left) to the event at a
/// bus subscriber and at a paired WebSocket client of the local API, and
/// what each plugin costs while nothing happens.
struct X11Benchmark {
    let trials: Int
    let idleSeconds: Double

    func run() async throws -> [Figure] {
        let desktop = try await X11TestDesktop()
        defer { desktop.stop() }
        let api = try await APIHarness {
            $0.add(id: "screen", library: "screen", config: ["display": .string(desktop.display), "enforce": "never"])
            $0.add(id: "desktop", library: "desktop", config: ["display": .string(desktop.display), "selections": ["clipboard"]])
        }
        let agent = api.agent
        let topics = ["screen.fullscreen", "desktop.clipboard", "desktop.focus"]
        let bus = Arrivals(agent.bus.subscribe(name: "bench", patterns: topics.map { TopicPattern($0)! }, capacity: 1 << 14))
        let socket = Arrivals(try await api.paired(topics: topics).0)
        defer {
            bus.stop()
            socket.stop()
        }
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

        let received = Both(bus: bus, socket: socket)
        var clipboard = Samples()
        for trial in 0..<trials {
            let (owner, at) = client.takeClipboard(trial: trial)
            clipboard.add(try await received.wait("desktop.clipboard") { $0["owner"]?.stringValue == owner.description }, since: at)
        }
        // Focus settles on the call page first, so every trial moves it; what
        // arrived until then is dropped so no trial matches an old event.
        client.perform { $0.requestActivation(page) }
        guard await eventually({ desktop.tools.activeWindow() == pageID }) else { throw BenchError("the call page never got focus") }
        try await Task.sleep(for: .milliseconds(300))
        bus.discardAll()
        socket.discardAll()
        var focus = Samples()
        for trial in 0..<trials {
            let target = trial % 2 == 0 ? other : page
            let at = client.perform { connection in
                defer { connection.requestActivation(target) }
                return SystemMonotonicClock().now
            }
            do {
                focus.add(try await received.wait("desktop.focus", timeout: .seconds(3)) { $0["window"]?.stringValue == target.description }, since: at)
            } catch {
                throw BenchError("trial \(trial): no focus event for \(target); X says \(desktop.tools.activeWindow() ?? "none") is active")
            }
        }
        client.perform { $0.requestFullscreen(page, true) }
        _ = try await received.wait("screen.fullscreen") { $0["full_screen"] == true }
        var left = Samples()
        for _ in 0..<trials {
            let at = client.perform { connection in
                defer { connection.requestFullscreen(page, false) }
                return SystemMonotonicClock().now
            }
            left.add(try await received.wait("screen.fullscreen") { $0["change"] == "left" }, since: at)
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
        await api.stop()

        func figures(_ name: String, _ samples: Samples) -> [Figure] {
            [("bus subscriber", samples.bus.sorted()), ("WebSocket client", samples.socket.sorted())].flatMap { place, sorted in [
                Figure(name: "\(name) -> \(place), median (\(sorted.count))", value: percentile(sorted, 0.5), unit: "ms",
                       target: nil, higherIsBetter: false),
                Figure(name: "\(name) -> \(place), p99", value: percentile(sorted, 0.99), unit: "ms", target: 20, higherIsBetter: false),
            ] }
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

/// Latencies of one kind of trial, in ms, to both places.
struct Samples {
    var bus: [Double] = []
    var socket: [Double] = []

    mutating func add(_ arrivals: (bus: Double, socket: Double), since at: Double) {
        bus.append((arrivals.bus - at) * 1000)
        socket.append((arrivals.socket - at) * 1000)
    }
}

/// The same event awaited at the bus subscriber and at the WebSocket client.
struct Both {
    let bus: Arrivals
    let socket: Arrivals

    func wait(_ topic: String, timeout: Duration = .seconds(10), _ match: @escaping (JSONValue) -> Bool) async throws -> (bus: Double, socket: Double) {
        (try await bus.wait(topic, timeout: timeout, match), try await socket.wait(topic, timeout: timeout, match))
    }
}

/// Events read in the background, from a bus subscription or a paired
/// WebSocket client, with when each arrived (monotonic seconds), so waiting
/// for one never skews its arrival time.
final class Arrivals: Sendable {
    private final class Store: Sendable {
        let list = Mutex<[(topic: String, data: JSONValue, at: Double)]>([])
        let stopped = Atomic<Bool>(false)

        func record(_ topic: String, _ data: JSONValue?, at: Double) {
            list.withLock { $0.append((topic, data ?? .null, at)) }
        }
    }

    private let store = Store()
    private let stopReading: @Sendable () -> Void

    init(_ subscription: Subscription) {
        let store = self.store
        stopReading = { subscription.cancel() }
        Task {
            while true {
                let batch = await subscription.nextBatch(maximum: 256)
                if batch.isEmpty { return }
                let at = SystemMonotonicClock().now
                for event in batch { store.record(event.topic, try? JSONParser.parse(event.data), at: at) }
            }
        }
    }

    init(_ client: WebSocketTestClient) {
        let store = self.store
        stopReading = { store.stopped.store(true, ordering: .relaxed) }
        let reader = Thread {
            while !store.stopped.load(ordering: .relaxed) {
                guard let message = try? client.receiveNow(timeout: 0.5) else { continue }
                guard case .text(let text) = message else { return }  // closed
                let at = SystemMonotonicClock().now
                guard let frame = try? JSONParser.parse(text), frame["op"] == "event", let event = frame["d"],
                    let topic = event["topic"]?.stringValue
                else { continue }
                store.record(topic, event["data"], at: at)
            }
        }
        reader.start()
    }

    /// When the first not yet taken `topic` event matching `match` arrived;
    /// it and everything before it are taken.
    func wait(_ topic: String, timeout: Duration = .seconds(10), _ match: @escaping (JSONValue) -> Bool) async throws -> Double {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let found: Double? = store.list.withLock { list in
                guard let index = list.firstIndex(where: { $0.topic == topic && match($0.data) }) else { return nil }
                defer { list.removeFirst(index + 1) }
                return list[index].at
            }
            if let found { return found }
            try await Task.sleep(for: .milliseconds(1))
        }
        throw BenchError("no \(topic) event within \(timeout)")
    }

    func discardAll() { store.list.withLock { $0.removeAll() } }



    func stop() { stopReading() }
}
