import Foundation
import ProctorHost
import ProctorJSON
import ProctorTestSupport

/// The system plugin live, with the proc connector (when this user may use
/// it) and with the /proc scan: its CPU while nothing happens but 500 extra
/// processes run (from /proc/<pid>/stat of the plugin's child), and how long
/// after a catalogued program is started its system.process event is
/// published (the event's timestamp minus the time just before the spawn).
struct SystemBenchmark {
    var seconds: Double

    func run() async throws -> [Figure] {
        let directory = TemporaryDirectory("proctord-system-bench")
        let crowd = try (0..<500).map { _ in try Self.spawn("/bin/sleep", ["3600"]) }
        defer { for process in crowd where process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let program = directory.path + "/bin/proctor-bench-remote"
        try FileManager.default.createDirectory(atPath: directory.path + "/bin", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "/bin/sleep", toPath: program)
        var figures: [Figure] = []
        for method in geteuid() == 0 ? ["connector", "scan"] : ["scan"] {
            figures += try await measure(method: method, program: program, directory: directory)
        }
        return figures
    }

    private func measure(method: String, program: String, directory: TemporaryDirectory) async throws -> [Figure] {
        var builder = ConfigBuilder()
        builder.add(id: "system", library: "system", config: [
            "method": .string(method),
            "programs": [["name": "Bench Remote", "category": "remote_control", "executables": ["proctor-bench-remote"]]],
        ])
        var paths = AgentPaths.fromEnvironment()
        paths.stateDirectory = directory.path + "/state-\(method)"
        let agent = Agent(config: try ConfigLoader.load(file: builder.write(to: directory, name: "\(method).json")), paths: paths,
                          logger: .silent, executable: TestBuild.proctord)
        let log = EventLog(bus: agent.bus, patterns: ["system.*"])
        try await agent.start()
        guard await eventually(timeout: .seconds(15), { log.all.contains { $0.topic == "system.virtual_camera" } }),
            let pid = await agent.supervisor("system")?.pid
        else {
            await agent.stopAll()
            throw BenchError("the system plugin (\(method)) did not make its first look")
        }
        // Idle: the 500 processes sleep; the plugin's own checks are all that runs.
        let cpuBefore = Processes.cpuSeconds(pid)
        let began = ContinuousClock.now
        try await Task.sleep(for: .seconds(seconds))
        let elapsed = (ContinuousClock.now - began).seconds
        let cpu = (Processes.cpuSeconds(pid) - cpuBefore) / elapsed * 100

        var latencies: [Double] = []
        for _ in 0..<20 {
            let before = Timestamp.now()
            let process = try Self.spawn(program, ["60"])
            let id = Int(process.processIdentifier)
            let seen = await log.waitFor(timeout: .seconds(10)) { event in
                event.topic == "system.process" && (try? JSONParser.parse(event.data)).map { $0["pid"]?.intValue == id && $0["state"] == "started" } == true
            }
            kill(process.processIdentifier, SIGKILL)  // children of the agent may ignore SIGTERM
            process.waitUntilExit()
            if let seen { latencies.append(Double(seen.timestamp.millisecondsSinceEpoch - before.millisecondsSinceEpoch)) }
        }
        await agent.stopAll()
        latencies.sort()
        let target: Double = method == "connector" ? 100 : 1500
        var figures = [Figure(name: "system CPU idle, 500 more processes (\(method), \(Int(elapsed)) s)", value: cpu,
                              unit: "% of a core", target: 0.5, higherIsBetter: false)]
        if !latencies.isEmpty {
            figures.append(Figure(name: "program start -> system.process, median (\(method), \(latencies.count)/20)",
                                  value: latencies[latencies.count / 2], unit: "ms", target: target, higherIsBetter: false))
            figures.append(Figure(name: "program start -> system.process, worst (\(method))", value: latencies.last!, unit: "ms",
                                  target: target, higherIsBetter: false))
        }
        return figures
    }

    private static func spawn(_ path: String, _ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        try process.run()
        return process
    }
}
