import Foundation
import ProctorHost
import ProctorJSON
import ProctorTestSupport
import Synchronization
import Testing

/// The agent as systemd sees it, with the real `proctord run` process: the
/// sd_notify messages a manager would receive (here a NOTIFY_SOCKET listener
/// stands in for the manager; scripts/package-test.sh runs the installed unit
/// under a real `systemd --user`), and the sockets `systemd-socket-activate`
/// (systemd's own tool) hands over.
@Suite(.serialized) struct SystemdServiceTests {
    let dir = TemporaryDirectory()

    func config(_ build: (inout ConfigBuilder) -> Void = { _ in }) -> String {
        var builder = ConfigBuilder()
        builder.add(id: "heartbeat", library: "heartbeat", config: ["interval_ms": 1000])
        builder.add(id: "sysinfo", library: "sysinfo")
        build(&builder)
        return builder.write(to: dir)
    }

    @Test func readyComesOnlyOnceThePluginsRunAndThePortAnswersThenTheWatchdogThenStopping() async throws {
        // At the moment READY=1 arrives, the port it names must answer and the
        // plugins must have started: checked on the listener's thread, then and there.
        let atReady = AnswerAtReady()
        let listener = try NotifyListener(path: dir.path + "/notify") { message in
            guard message.fields["READY"] == "1", let status = message.fields["STATUS"],
                  let port = status.split(separator: ":").dropFirst().first.flatMap({ Int($0.prefix { $0.isNumber }) }) else { return }
            let answer = try? HTTPGet.requestNow("GET", port: port, path: "/healthz")
            atReady.answer.withLock { $0 = answer }
        }
        let agent = try AgentProcess(
            arguments: ["run", "--config", config(), "--state-dir", dir.path + "/state"],
            environment: ["NOTIFY_SOCKET": listener.path, "WATCHDOG_USEC": "2000000"])
        let ready = try #require(await listener.wait(for: "READY"), "no READY=1: \(agent.log.suffix(5))")
        let status = try #require(ready.fields["STATUS"])
        #expect(status.contains("2 of 2 plugins running"), "READY before the plugins ran: \(status)")
        #expect(await eventually { atReady.answer.withLock { $0 } != nil })
        #expect(atReady.answer.withLock { $0?.status } == 200, "the port did not answer at READY=1")
        #expect(listener.messages.first?.fields["READY"] == "1", "something came before READY=1")

        // WATCHDOG_USEC=2 s: a ping about every second, never a gap systemd would kill for.
        #expect(await eventually(timeout: .seconds(30)) { listener.messages.filter { $0.fields["WATCHDOG"] != nil }.count >= 4 })
        let pings = listener.messages.filter { $0.fields["WATCHDOG"] != nil }.map(\.arrived)
        let gaps = zip(pings.dropFirst(), pings).map { $0 - $1 }
        #expect(gaps.allSatisfy { $0 > .milliseconds(800) }, "pings faster than half the interval: \(gaps)")
        #expect(gaps.allSatisfy { $0 < .seconds(2) }, "a gap systemd's watchdog would have killed for: \(gaps)")
        #expect(pings.first.map { $0 > ready.arrived } == true, "a watchdog ping before READY=1")

        agent.signal(SIGTERM)
        #expect(await agent.waitForExit(timeout: .seconds(20)) == 0)
        #expect(await listener.wait(for: "STOPPING", timeout: .seconds(5)) != nil, "no STOPPING=1")
    }

    @Test func statusSaysWhichPluginIsDown() async throws {
        let listener = try NotifyListener(path: dir.path + "/notify")
        let file = config { $0.add(id: "broken", library: "test-abi-v2") }
        let agent = try AgentProcess(
            arguments: ["run", "--config", file, "--state-dir", dir.path + "/state"], environment: ["NOTIFY_SOCKET": listener.path])
        let ready = try #require(await listener.wait(for: "READY"), "no READY=1: \(agent.log.suffix(5))")
        let status = ready.fields["STATUS"] ?? ""
        #expect(status.contains("2 of 3 plugins running"), "\(status)")
        #expect(status.contains("broken failed: "), "the STATUS line does not say which plugin is down: \(status)")
        agent.signal(SIGTERM)
        #expect(await agent.waitForExit(timeout: .seconds(20)) == 0)
    }

    @Test func aConfigErrorExitsWith78AndNeverSaysReady() async throws {
        let listener = try NotifyListener(path: dir.path + "/notify")
        let file = config { $0.add(id: "heartbeat2", library: "heartbeat", config: ["interval_ms": "fast"]) }
        let agent = try AgentProcess(
            arguments: ["run", "--config", file, "--state-dir", dir.path + "/state"], environment: ["NOTIFY_SOCKET": listener.path])
        // 78 is RestartPreventExitStatus= in proctord.service: systemd does not restart it.
        #expect(await agent.waitForExit(timeout: .seconds(20)) == 78)
        #expect(!listener.messages.contains { $0.fields["READY"] != nil })
    }

    @Test func theWatchdogStaysSilentWhileItsProbeHangs() async throws {
        // Two reporters side by side: the healthy one's pings are the clock the hung one is judged by.
        let healthy = try NotifyListener(path: dir.path + "/healthy")
        let hung = try NotifyListener(path: dir.path + "/hung")
        func reporter(_ listener: NotifyListener) -> ServiceReporter {
            ServiceReporter(notifier: SystemdNotifier(environment: ["NOTIFY_SOCKET": listener.path, "WATCHDOG_USEC": "200000"]))
        }
        let feeding = Task {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await reporter(healthy).feedWatchdog {} }
                // A stuck actor or event loop: the probe never returns.
                group.addTask { await reporter(hung).feedWatchdog { try? await Task.sleep(for: .seconds(3600)) } }
            }
        }
        defer { feeding.cancel() }
        #expect(await eventually { healthy.messages.filter { $0.fields["WATCHDOG"] == "1" }.count >= 5 })
        #expect(hung.messages.isEmpty, "a hung probe still fed the watchdog: \(hung.messages.map(\.text))")
    }

    final class AnswerAtReady: Sendable {
        let answer = Mutex<(status: Int, body: String)?>(nil)
    }

    // MARK: socket activation

    /// `systemd-socket-activate -l ADDRESS proctord run ...`: it listens, and
    /// at the first connection execs the agent with the socket as fd 3.
    func activated(listen address: String) throws -> AgentProcess {
        try AgentProcess(
            arguments: ["run", "--config", config(), "--state-dir", dir.path + "/state"],
            environment: [:], launcher: ["/usr/bin/systemd-socket-activate", "-l", address])
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-socket-activate")))
    func servesOnTheSocketSystemdHandsOver() async throws {
        let port = try FreePort.pick()
        let agent = try activated(listen: "127.0.0.1:\(port)")
        #expect(await eventually { (try? RawTCP(port: port)) != nil }, "systemd-socket-activate did not listen")
        // The first connection starts the agent; it is answered once the agent serves.
        let answer = try await HTTPGet.get(port: port, path: "/healthz")
        #expect(answer.status == 200)
        #expect(await agent.waitForLog(containing: "sockets from systemd: 127.0.0.1:\(port)"), "\(agent.log.suffix(5))")
        agent.signal(SIGTERM)
        #expect(await agent.waitForExit(timeout: .seconds(20)) == 0)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-socket-activate")))
    func refusesASocketOtherMachinesCouldReach() async throws {
        let port = try FreePort.pick()
        let agent = try activated(listen: "0.0.0.0:\(port)")
        #expect(await eventually { (try? RawTCP(port: port)) != nil }, "systemd-socket-activate did not listen")
        #expect(await agent.waitForExit(timeout: .seconds(20)) == 78)
        #expect(agent.log.contains { $0.contains("listens on 0.0.0.0:\(port), which other machines can reach") }, "\(agent.log)")
    }

    @Test func socketChecksAcceptOnlyListeningLoopbackTCP() throws {
        func listening(_ family: Int32, _ host: String, listen: Bool = true) throws -> Int32 {
            let fd = socket(family, Int32(SOCK_STREAM.rawValue), 0)
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &one, 4)
            if family == AF_INET {
                var address = sockaddr_in()
                address.sin_family = sa_family_t(AF_INET)
                inet_pton(AF_INET, host, &address.sin_addr)
                _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            } else {
                var address = sockaddr_in6()
                address.sin6_family = sa_family_t(AF_INET6)
                inet_pton(AF_INET6, host, &address.sin6_addr)
                _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
            }
            if listen { _ = Glibc.listen(fd, 1) }
            return fd
        }
        let v4 = try listening(AF_INET, "127.0.0.1")
        defer { close(v4) }
        let accepted = try SocketActivation.check(v4)
        #expect(accepted.host == "127.0.0.1" && accepted.port > 0)
        let any = try listening(AF_INET, "0.0.0.0")
        defer { close(any) }
        #expect(throws: SocketActivation.Refusal.self) { try SocketActivation.check(any) }
        let idle = try listening(AF_INET, "127.0.0.1", listen: false)
        defer { close(idle) }
        #expect(throws: SocketActivation.Refusal.self) { try SocketActivation.check(idle) }
        let datagram = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(datagram) }
        #expect(throws: SocketActivation.Refusal.self) { try SocketActivation.check(datagram) }
        let v6 = try listening(AF_INET6, "::1")
        defer { close(v6) }
        if let v6Listener = try? SocketActivation.check(v6) { #expect(v6Listener.host == "[::1]") }  // no ::1 on some machines
        let v6Any = try listening(AF_INET6, "::")
        defer { close(v6Any) }
        #expect(throws: SocketActivation.Refusal.self) { try SocketActivation.check(v6Any) }
        // Sockets passed to another process are not this one's to serve.
        #expect(try SocketActivation.listeners(environment: ["LISTEN_PID": "1", "LISTEN_FDS": "1"], pid: 2).isEmpty)
    }
}
