import Foundation
import ProctorAPI
import ProctorHost
import ProctorJSON
import ProctorTestSupport
import Testing

/// The agent on a machine whose other programs hold thousands of sockets,
/// and with another local user hammering its port: a real `proctord run`,
/// loaded by Tests/Tools/hostile-peer.py (a real program with real sockets).
/// The other user is created for the test and removed after it.
///
/// The agent must accept a connection to learn whose it is, and NIO's accept
/// and channel set-up cost about 0.2 ms of CPU in a debug build (measured
/// with `perf record` against .build/debug/proctord), so its CPU grows with
/// the rate at which another user opens connections: at 1,000 a second it
/// used 17-20 % of a core, at 500 a second about half that. The test opens
/// them at 500 a second.
@Suite(.serialized) struct CrowdedMachineTests {
    let dir = TemporaryDirectory()

    func startAgent() async throws -> (AgentProcess, Int) {
        var builder = ConfigBuilder()
        builder.add(id: "heartbeat", library: "heartbeat", config: ["interval_ms": 1000])
        let agent = try AgentProcess(arguments: ["run", "--config", builder.write(to: dir), "--state-dir", dir.path + "/state"],
                                     environment: ["XDG_RUNTIME_DIR": dir.path])
        let port = try #require(await agent.apiPort())
        return (agent, port)
    }

    /// Starts the load program (as `user` when given) and waits until its own sockets are open.
    func startLoad(port: Int, connections: Int, sockets: Int, seconds: Int, perSecond: Int = 500,
                   user: (uid: String, gid: String)? = nil) async throws -> Process {
        // A copy the other user can read, whatever the checkout's permissions.
        let script = dir.path + "/hostile-peer.py"
        if !FileManager.default.fileExists(atPath: script) {
            try FileManager.default.copyItem(atPath: TestBuild.repositoryRoot + "/Tests/Tools/hostile-peer.py", toPath: script)
        }
        chmod(dir.path, 0o755)
        chmod(script, 0o644)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // Debian's python3 (install-deps.sh installs it): another user cannot run one under /root.
        var arguments = ["/usr/bin/python3", script, "\(port)", "\(connections)", "\(sockets)", "\(seconds)", "\(perSecond)"]
        // The program raises its soft descriptor limit to the hard one for its sockets.
        arguments = (user.map { ["setpriv", "--reuid=\($0.uid)", "--regid=\($0.gid)", "--clear-groups"] } ?? []) + arguments
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        try ParentBoundLaunch.run(process)
        let ready = try await offPool { () -> Bool in
            var line = Data()
            while let byte = try out.fileHandleForReading.read(upToCount: 1), !byte.isEmpty {
                if byte == Data("\n".utf8) { return String(decoding: line, as: UTF8.self) == "ready" }
                line += byte
            }
            return false
        }
        try #require(ready, "the load program did not start")
        return process
    }

    func milliseconds(_ work: () async throws -> Void) async rethrows -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        try await work()
        let elapsed = clock.now - start
        return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
    }

    @Test func tenThousandChurningSocketsDoNotSlowThisUsersUpgrades() async throws {
        let (agent, port) = try await startAgent()
        let load = try await startLoad(port: port, connections: 0, sockets: 10_000, seconds: 120)
        defer { load.terminate() }
        var times: [Double] = []
        for _ in 0..<60 {
            times.append(try await milliseconds { _ = try await Pairing.connect(port: port, origin: "http://127.0.0.1:\(port)") })
        }
        times.sort()
        let p99 = times[Int(Double(times.count) * 0.99) - 1]
        print("upgrade with 10,000 churning sockets: median \(times[times.count / 2]) ms, p99 \(p99) ms")
        // The figure to hold is 20 ms (make bench measures it); a shared CI core gets room for its scheduler.
        #expect(p99 < 100, "p99 \(p99) ms")
        #expect(!agent.log.contains { $0.contains("refused") }, "a same-user upgrade was refused")
    }

    @Test(.enabled(if: getuid() == 0, "needs root to create another user"))
    func anotherUserHammeringThePortCannotStarveTheInterviewee() async throws {
        let name = "proctordtest\(getpid() % 100_000)"
        _ = try await Shell.run("useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name])
        defer { _ = try? Shell.runNow("userdel", [name]) }
        let uid = try await Shell.run("id", ["-u", name]).trimmingCharacters(in: .whitespacesAndNewlines)
        let gid = try await Shell.run("id", ["-g", name]).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!uid.isEmpty && uid != "0")

        let (agent, port) = try await startAgent()
        let load = try await startLoad(port: port, connections: 2000, sockets: 10_000, seconds: 60, user: (uid, gid))
        defer { load.terminate() }
        let before = Processes.cpuSeconds(agent.pid)
        let clock = ContinuousClock()
        let start = clock.now
        var health: [Double] = []
        var pairings: [Double] = []
        for round in 0..<20 {
            health.append(try await milliseconds {
                let (status, _) = try await HTTPGet.get(port: port, path: "/healthz")
                #expect(status == 200)
            })
            if round % 5 == 0 {
                let code = try #require(agent.pairingCode)
                pairings.append(try await milliseconds {
                    _ = try await Pairing.pair(port: port, code: code, origin: "http://127.0.0.1:\(port)", topics: [])
                })
                _ = await eventually { agent.pairingCode != code }  // each code pairs once
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        let wall = clock.now - start
        let cpu = (Processes.cpuSeconds(agent.pid) - before) / (Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18)
        health.sort()
        print("under another user's load: /healthz median \(health[health.count / 2]) ms, max \(health.last!) ms; " +
              "pairing max \(pairings.max()!) ms; agent CPU \(Int(cpu * 100)) % of a core")
        #expect(health[health.count / 2] < 100, "healthz median \(health[health.count / 2]) ms")
        #expect(health.last! < 1000 && pairings.max()! < 1000)
        // A bound against spinning, not a figure: an agent that spun on the refusals would use a whole core.
        // Its usual share is printed above (0.20 once under the stressed suite, which failed a 0.20 bound).
        #expect(cpu < 0.5, "the agent used \(Int(cpu * 100)) % of a core")
        #expect(agent.log.contains { $0.contains("refused a connection from another user (uid \(uid)") })
        // The agent kept no descriptor of the other user's: its own count stays small.
        #expect(Processes.openDescriptors(agent.pid) < 200)
    }
}
