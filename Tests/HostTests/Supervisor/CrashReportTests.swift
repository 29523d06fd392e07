import Foundation
import Logging
@testable import ProctorHost
import ProctorJSON
import ProctorTestSupport
import Synchronization
import Testing

/// A plugin child that really crashes leaves its backtrace in a private file
/// under the state directory and one line in the log.
@Suite(.serialized) struct CrashReportTests {
    let dir = TemporaryDirectory()
    let logged = LoggedLines()
    var crashes: String { dir.path + "/state/crashes" }

    /// An agent running chaos in `mode`; by default restarted only after long
    /// enough that each test sees one crash.
    func agent(mode: String, restart: JSONValue = ["initial_delay_ms": 600_000, "max_delay_ms": 600_000]) throws -> (Agent, EventLog) {
        var builder = ConfigBuilder()
        builder.add(id: "chaos", library: "test-chaos", config: ["mode": .string(mode), "after_ms": 50], restart: restart)
        let config = try ConfigLoader.load(file: builder.write(to: dir))
        var paths = AgentPaths.fromEnvironment()
        paths.stateDirectory = dir.path + "/state"
        let logger = Logger.capturing { [logged] line in logged.lines.withLock { $0.append(line) } }
        let agent = Agent(config: config, paths: paths, logger: logger, executable: TestBuild.proctord)
        return (agent, EventLog(bus: agent.bus))
    }

    /// Waits for the one line that says where the crash went.
    func crashLine() async -> String? {
        var found: String?
        _ = await eventually(timeout: .seconds(30)) {
            found = logged.lines.withLock { $0.first { $0.contains("crash report") } }
            return found != nil
        }
        return found
    }

    func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
    }

    @Test func aSegfaultLeavesOnePrivateReportAndOneLogLine() async throws {
        let (agent, log) = try agent(mode: "print_then_segfault")
        try await agent.start()
        let line = try #require(await crashLine())
        let prefix = "plugin chaos crashed with SIGSEGV (signal 11); crash report: \(crashes)/chaos-"
        #expect(line.hasPrefix(prefix) && line.hasSuffix(".txt"), "\(line)")
        let path = String(line.dropFirst("plugin chaos crashed with SIGSEGV (signal 11); crash report: ".count))
        #expect(try mode(path) == 0o600)
        #expect(try mode(crashes) == 0o700)
        let report = try String(contentsOfFile: path, encoding: .utf8)
        #expect(report.contains("plugin: chaos\n") && report.contains("signal: SIGSEGV (signal 11)\n"))
        #expect(report.contains("library: \(TestBuild.plugin("test-chaos"))\n"))
        #expect(report.contains("exit: killed by signal 11 (SIGSEGV)"))
        #expect(report.contains("agent: proctord \(ProctorVersion.string)\n"))
        // The child's output in order: its own lines, then the Swift runtime's
        // backtrace, plain (no colour codes) and not waiting for a debugger.
        let before = try #require(report.range(of: "chaos: a line on stderr before the crash"))
        let crashed = try #require(report.range(of: "Program crashed: Bad pointer dereference"), "\(report)")
        #expect(before.upperBound < crashed.lowerBound)
        #expect(report.contains("Thread 0") && report.contains(" crashed:"))
        #expect(!report.contains("\u{1B}["))
        #expect(!report.contains("Press space to interact"))

        let said = logged.lines.withLock { $0 }
        #expect(said.filter { $0.contains("crash report") } == [line], "one line about the report")
        #expect(said.filter { $0.hasPrefix("output:") }
            == ["output: chaos: a line on stdout before the crash", "output: chaos: a line on stderr before the crash"],
            "ordinary output is still logged, and nothing of the backtrace: \(said)")
        #expect(!said.contains { $0.contains("Program crashed") || $0.contains("Thread ") || $0.contains("Backtracing") })
        #expect(log.states(of: "chaos").contains { $0["state"] == "crashed" })
        await agent.stopAll()
    }

    @Test func onlyTheNewestReportsAreKept() async throws {
        try PrivateDirectory.create(crashes)
        let old = Date(timeIntervalSinceNow: -86_400)
        for n in 0..<CrashReport.keep {
            let path = crashes + "/old-\(n).txt"
            try "an old report".write(toFile: path, atomically: false, encoding: .utf8)
            try FileManager.default.setAttributes([.modificationDate: old.addingTimeInterval(Double(n))], ofItemAtPath: path)
        }
        dir.write("state/crashes/notes.md", "not a report")
        let (agent, _) = try agent(mode: "segfault")
        try await agent.start()
        let line = try #require(await crashLine())
        let names = Set(try FileManager.default.contentsOfDirectory(atPath: crashes))
        let newest = try #require(line.split(separator: "/").last.map(String.init))
        #expect(names.filter { $0.hasSuffix(".txt") }.count == CrashReport.keep)
        #expect(names.contains(newest))
        #expect(!names.contains("old-0.txt"), "the oldest went")
        #expect(names.contains("old-1.txt") && names.contains("notes.md"))
        await agent.stopAll()
    }

    @Test func aReportThatCannotBeKeptIsSaidAndTheRestartStillComes() async throws {
        try PrivateDirectory.create(dir.path + "/state")
        dir.write("state/crashes", "a file where the directory should be")
        let (agent, log) = try agent(mode: "segfault", restart: ["initial_delay_ms": 100, "crash_loop_limit": 100])
        try await agent.start()
        let line = try #require(await crashLine())
        #expect(line == "plugin chaos crashed with SIGSEGV (signal 11); crash report not kept: \(crashes): not a directory")
        let crash = try #require(await log.waitForState("chaos") { $0["state"] == "crashed" })
        #expect(await log.waitForState("chaos", after: crash.0.seq) { $0["state"] == "running" } != nil)
        #expect(!logged.lines.withLock { $0 }.contains { $0.contains("Program crashed") })
        await agent.stopAll()
    }

    /// Runs the output reader of a pretend child on `fd` until it is done.
    func readOutput(_ fd: Int32, ending: ChildEnding) async {
        let logger = Logger.capturing { [logged] line in logged.lines.withLock { $0.append(line) } }
        let reader = ChildOutputLog(fd: fd, logger: logger, ending: ending, crashDirectory: crashes, drainMilliseconds: 200)
        await withCheckedContinuation { done in Thread { reader.run(); done.resume() }.start() }
    }

    func end(raw: Int32, killReason: String? = nil) -> ChildEnding.End {
        .init(plugin: "pretend", library: "/lib/pretend.so", pid: 4242, status: ExitStatus(raw: raw), killReason: killReason,
              time: .now())
    }

    /// Something the child started outside its process group may keep the
    /// output open for ever: the report is written without waiting for it.
    @Test func outputHeldOpenAfterTheChildEndedDoesNotHoldTheReportBack() async throws {
        var fds: [Int32] = [-1, -1]
        #expect(pipe(&fds) == 0)
        defer { close(fds[1]) }
        let ending = try ChildEnding()
        let text = "a warning\n*** Program crashed: Bad pointer dereference at 0x0 ***\n"
        #expect(write(fds[1], text, text.utf8.count) == text.utf8.count)
        ending.deliver(end(raw: SIGSEGV))
        await readOutput(fds[0], ending: ending)
        let said = logged.lines.withLock { $0 }
        #expect(said.first == "output: a warning")
        let line = try #require(said.last)
        #expect(line.hasPrefix("plugin pretend crashed with SIGSEGV (signal 11); crash report: \(crashes)/pretend-"))
        let report = try String(contentsOfFile: String(line.split(separator: " ").last!), encoding: .utf8)
        #expect(report.contains("a warning\n*** Program crashed"))
    }

    @Test func aChildTheAgentKilledLeavesNoReportUnlessItHadCrashed() async throws {
        for (output, expected) in [("just working\n", 0), ("Fatal error: gave up\n", 1)] {
            var fds: [Int32] = [-1, -1]
            #expect(pipe(&fds) == 0)
            let ending = try ChildEnding()
            #expect(write(fds[1], output, output.utf8.count) == output.utf8.count)
            close(fds[1])
            ending.deliver(end(raw: SIGKILL, killReason: "hung: no answer to pings for 5001 ms; killed"))
            await readOutput(fds[0], ending: ending)
            let reports = (try? FileManager.default.contentsOfDirectory(atPath: crashes)) ?? []
            #expect(reports.count == expected, "\(output)")
        }
        let line = try #require(logged.lines.withLock { $0.last })
        #expect(line.hasPrefix("plugin pretend crashed with SIGKILL (signal 9); crash report: "))
        let report = try String(contentsOfFile: String(line.split(separator: " ").last!), encoding: .utf8)
        #expect(report.contains("exit: killed by signal 9 (SIGKILL) (hung: no answer to pings for 5001 ms; killed)\n"))
    }

    @Test func crashMessagesAreRecognised() {
        let crashes = [
            "💣 Program crashed: Bad pointer dereference at 0x0000000000000000",
            "*** Program crashed: Bad pointer dereference at 0x0000000000000000 ***",
            "*** Signal 11: Backtracing from 0x7f3a2c0b1234... done ***",
            "*** stack smashing detected ***: terminated",
            "ProctorHost/Thing.swift:12: Fatal error: no camera",
            "Fatal error: Index out of range",
            "Swift/ContiguousArrayBuffer.swift:690: Precondition failed",
            "plugin-host: vision.c:40: run: Assertion `frame != NULL' failed.",
        ]
        let ordinary = [
            "", "chaos: about to crash", "*** no closing stars", "Fatal errors are rare", "file.swift:x: Fatal error: y",
            "[ WARN:0@0.1] global cap_v4l.cpp (1000) open VIDEOIO(V4L2:/dev/video0): can't open camera by index",
        ]
        #expect(crashes.filter { !CrashCapture.isCrashMessage(ArraySlice($0.utf8)) } == [])
        #expect(ordinary.filter { CrashCapture.isCrashMessage(ArraySlice($0.utf8)) } == [])
    }

    @Test func theCaptureKeepsABoundedTailAndTheCrashInOrder() {
        var capture = CrashCapture(tailLimit: 100, crashLimit: 80)
        let lines = (0..<50).map { "line \($0)" }
            + ["*** Program crashed: Bad pointer dereference at 0x0 ***", "Thread 0 crashed:", "line after the crash"]
        let loggable = lines.map { capture.take(ArraySlice($0.utf8)) }
        #expect(loggable == Array(repeating: true, count: 50) + [false, false, false], "nothing from a crash message on is logged")
        let text = capture.text
        #expect(text.hasPrefix("["), "says how much earlier output was left out: \(text)")
        #expect(text.contains("line 49\n*** Program crashed: Bad pointer dereference at 0x0 ***\nThread 0"))
        #expect(text.hasSuffix(" more bytes not kept]\n"))
        #expect(capture.tail.count <= 200 && capture.crash.count <= 80, "bounded")
    }

    @Test func childrenGetAPlainNonInteractiveBacktrace() {
        #expect(CrashReport.backtraceSettings(inherited: nil) == "enable=yes,interactive=no,color=no,output-to=stderr")
        #expect(CrashReport.backtraceSettings(inherited: "enable=no")
            == "enable=yes,enable=no,interactive=no,color=no,output-to=stderr", "the user's own choice wins over ours")
    }
}

/// What a capturing logger has said so far.
final class LoggedLines: Sendable {
    let lines = Mutex<[String]>([])
}
