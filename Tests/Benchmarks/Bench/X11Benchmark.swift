import Foundation
import ProctorHost
import ProctorJSON
import ProctorTestSupport
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
        let (received, marker) = try await Both.displayPlugins(of: api, topics: topics)
        defer { received.stop() }
        let (_, pageID) = try await desktop.openOtherWindow("call page", geometry: "400x300+0+0", title: "bench \(marker)")
        let (_, otherID) = try await desktop.openOtherWindow("notes", geometry: "300x200+500+100", title: "bench notes")
        let page = WindowID(UInt(pageID.dropFirst(2), radix: 16)!), other = WindowID(UInt(otherID.dropFirst(2), radix: 16)!)
        let client = try X11BenchClient(display: desktop.display)

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
        received.discardAll()
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
            idle[id] = ProcessCPU.ticks(pid)
        }
        try await Task.sleep(for: .seconds(idleSeconds))
        for id in ["screen", "desktop"] {
            let pid = await agent.supervisor(id)!.pid!
            idle[id] = ProcessCPU.percentOfCore(ticks: ProcessCPU.ticks(pid) - idle[id]!, seconds: idleSeconds)
        }
        await api.stop()

        return clipboard.figures("clipboard owner change") + focus.figures("focus change") + left.figures("full screen left") + [
            Figure(name: "screen plugin idle CPU (\(Int(idleSeconds)) s)", value: idle["screen"]!, unit: "% of a core", target: 0.5,
                   higherIsBetter: false),
            Figure(name: "desktop plugin idle CPU (\(Int(idleSeconds)) s)", value: idle["desktop"]!, unit: "% of a core", target: 0.5,
                   higherIsBetter: false),
        ]
    }
}
