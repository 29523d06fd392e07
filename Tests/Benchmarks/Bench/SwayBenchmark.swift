import Foundation
import ProctorHost
import ProctorJSON
import ProctorTestSupport
import X11Support

/// The screen and desktop plugins on Wayland, under a real headless sway,
/// measured as `X11Benchmark` measures them under Xvfb and openbox: how long
/// from a compositor change (focus moved, full screen left) to the event at a
/// bus subscriber and at a paired WebSocket client of the local API; then
/// what the real agent's whole process tree costs while nothing happens.
struct SwayBenchmark {
    let trials: Int
    let idleSeconds: Double
    /// `proctord-bench x11`'s p99s for the same changes (README, Benchmarks:
    /// 200 trials, release build): bus subscriber, WebSocket client.
    static let x11 = (focus: (bus: 2.0, socket: 2.0), fullscreenLeft: (bus: 2.4, socket: 2.5))

    /// The plugins as `X11Benchmark` configures them: no enforcement, so a
    /// window leaving full screen stays out until the benchmark puts it back.
    static func plugins(on sway: SwayCompositor) -> (inout ConfigBuilder) -> Void {
        { builder in
            let socket = JSONValue.string(sway.socket)
            builder.add(id: "screen", library: "screen", config: ["display_server": "wayland", "wayland_display": socket, "enforce": "never"])
            builder.add(id: "desktop", library: "desktop",
                        config: ["display_server": "wayland", "wayland_display": socket, "selections": ["clipboard"]])
        }
    }

    func run() async throws -> [Figure] {
        let sway = try await SwayCompositor()
        defer { sway.stop() }
        let (focus, left) = try await latencies(on: sway)
        let idle = try await idleCPU(on: sway)
        return focus.figures("focus change", reference: ("X11", Self.x11.focus.bus, Self.x11.focus.socket))
            + left.figures("full screen left", reference: ("X11", Self.x11.fullscreenLeft.bus, Self.x11.fullscreenLeft.socket))
            + idle
    }

    /// Focus moved between two foot windows, and the call page's window
    /// taken out of full screen, each through sway's IPC `trials` times.
    private func latencies(on sway: SwayCompositor) async throws -> (focus: Samples, left: Samples) {
        let api = try await APIHarness(Self.plugins(on: sway))
        let topics = ["screen.fullscreen", "desktop.focus"]
        let (received, marker) = try await Both.displayPlugins(of: api, topics: topics)
        defer { received.stop() }
        _ = try sway.openWindow(title: "bench \(marker)", appID: "callpage")
        _ = try await received.wait("screen.fullscreen", timeout: .seconds(20)) { $0["change"] == "found" }
        _ = try sway.openWindow(title: "bench notes", appID: "notes")
        let ipc = try SwayIPCClient(socket: sway.ipc)

        // sway focuses the new window; focus settles on the call page first, so
        // every trial moves it. What arrived until then is dropped.
        _ = try await received.wait("desktop.focus", timeout: .seconds(20)) { $0["app"]?["class"] == "notes" }
        _ = try ipc.run("[app_id=callpage] focus")
        _ = try await received.wait("desktop.focus") { $0["app"]?["class"] == "callpage" }
        try await Task.sleep(for: .milliseconds(300))
        received.discardAll()
        var focus = Samples()
        for trial in 0..<trials {
            let target = trial % 2 == 0 ? "notes" : "callpage"
            let at = try ipc.run("[app_id=\(target)] focus")
            do {
                focus.add(try await received.wait("desktop.focus", timeout: .seconds(3)) { $0["app"]?["class"]?.stringValue == target }, since: at)
            } catch {
                throw BenchError("trial \(trial): no focus event for \(target)")
            }
        }

        _ = try ipc.run("[app_id=callpage] fullscreen enable")
        _ = try await received.wait("screen.fullscreen") { $0["change"] == "entered" }
        var left = Samples()
        for _ in 0..<trials {
            let at = try ipc.run("[app_id=callpage] fullscreen disable")
            left.add(try await received.wait("screen.fullscreen") { $0["change"] == "left" }, since: at)
            _ = try ipc.run("[app_id=callpage] fullscreen enable")
            _ = try await received.wait("screen.fullscreen") { $0["change"] == "entered" }
        }
        await api.stop()
        return (focus, left)
    }

    /// The real agent (`proctord run`) with the same two plugins on the same
    /// sway and its two windows, nothing happening: the CPU time of the agent
    /// and every process under it over `idleSeconds`, once it has settled.
    private func idleCPU(on sway: SwayCompositor) async throws -> [Figure] {
        var builder = ConfigBuilder()
        Self.plugins(on: sway)(&builder)
        let directory = TemporaryDirectory("proctord-sway-idle")
        let agent = try IdleBenchmark.startAgent(builder.json, in: directory, environment: ["DISPLAY": nil, "WAYLAND_DISPLAY": nil])
        defer { agent.signal(SIGTERM) }
        try await IdleBenchmark.waitUntilSettled(agent, plugins: ["screen", "desktop"])
        let children = try IdleBenchmark.children(of: agent.pid, plugins: ["screen", "desktop"])
        guard let screen = children["screen"], let desktop = children["desktop"] else { throw BenchError("plugin children not found: \(children)") }

        let tree = ProcessCPU.tree(of: agent.pid)
        let named: [(String, Int32)] = [("agent", agent.pid), ("screen plugin child", screen), ("desktop plugin child", desktop)]
        let before = (tree: tree.map(ProcessCPU.ticks).reduce(0, +), each: named.map { ProcessCPU.ticks($0.1) })
        try await Task.sleep(for: .seconds(idleSeconds))
        let after = tree.map(ProcessCPU.ticks).reduce(0, +)
        let window = Int(idleSeconds)
        return [Figure(name: "agent tree idle CPU (\(tree.count) processes, \(window) s)", value: ProcessCPU.percentOfCore(ticks: after - before.tree, seconds: idleSeconds),
                       unit: "% of a core", target: 0.5, higherIsBetter: false)]
            + zip(named, before.each).map { entry, ticks in
                Figure(name: "  of which \(entry.0)", value: ProcessCPU.percentOfCore(ticks: ProcessCPU.ticks(entry.1) - ticks, seconds: idleSeconds),
                       unit: "% of a core", target: nil, higherIsBetter: false)
            }
    }
}
