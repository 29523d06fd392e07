#if canImport(Glibc)
import Glibc
#endif
import Foundation
import ProctorHost

/// A program the X11 harness starts (Xvfb, openbox, Chromium, xclip,
/// xmessage) and always stops: it runs in a process group of its own, is
/// stopped with every process it started, and dies with the test runner even
/// when the runner crashes (`setpriv --pdeathsig KILL`, set from a spawning
/// thread that lives as long as the runner). Output goes to a log file.
public final class SpawnedProcess: @unchecked Sendable {
    public let pid: pid_t
    public let name: String
    public let logPath: String
    private var reaped = false
    private let lock = NSLock()


    /// Starts `executable` with `arguments`; `environment` entries are set on
    /// top of the runner's environment (nil removes one). `extraDescriptors`
    /// installs parent descriptors under the given numbers in the child.
    /// `input` is a file to read as standard input (default /dev/null).
    public init(
        _ executable: String, _ arguments: [String], environment: [String: String?] = [:], log: String,
        input: String = "/dev/null", extraDescriptors: [(child: Int32, parent: Int32)] = []
    ) throws {
        name = (executable as NSString).lastPathComponent
        logPath = log
        let logFD = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard logFD >= 0 else { throw HarnessError("cannot open \(log): \(String(cString: strerror(errno)))") }
        defer { close(logFD) }
        let inputFD = open(input, O_RDONLY | O_CLOEXEC)
        guard inputFD >= 0 else { throw HarnessError("cannot open \(input): \(String(cString: strerror(errno)))") }
        defer { close(inputFD) }
        var env: [String] = []
        for (key, value) in environment.sorted(by: { $0.key < $1.key }) {
            if let value { env.append("\(key)=\(value)") } else { env = ["-u", key] + env }
        }
        pid = try ParentBoundLaunch.spawner.spawn(.init(
            executable: "/usr/bin/setpriv",
            arguments: ["--pdeathsig", "KILL", "--", "/usr/bin/env"] + env + [executable] + arguments,
            descriptors: [(0, inputFD), (1, logFD), (2, logFD)] + extraDescriptors))
    }

    public var isRunning: Bool {
        lock.lock()
        defer { lock.unlock() }
        guard !reaped else { return false }
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid {
            reaped = true
            return false
        }
        return true
    }

    /// Asks the group to end (SIGTERM), waits up to `grace`, then kills the
    /// group and every descendant that left it, and reaps the process.
    public func stop(grace: Duration = .seconds(3)) {
        guard isRunning else { return }
        let family = Processes.descendants(of: pid)
        kill(-pid, SIGTERM)
        family.forEach { kill($0, SIGTERM) }
        let deadline = ContinuousClock.now + grace
        while isRunning && ContinuousClock.now < deadline { usleep(10_000) }
        kill(-pid, SIGKILL)
        (family + Processes.descendants(of: pid)).forEach { kill($0, SIGKILL) }
        reap()
    }

    /// Kills at once, as a crash would (SIGKILL to the group), and reaps.
    public func crash() {
        guard isRunning else { return }
        let family = Processes.descendants(of: pid)
        kill(-pid, SIGKILL)
        family.forEach { kill($0, SIGKILL) }
        reap()
    }

    private func reap() {
        lock.lock()
        defer { lock.unlock() }
        guard !reaped else { return }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        reaped = true
    }

    /// Kills the processes whose command line mentions `text` (a path only
    /// this test made): helpers that left the group, such as Chromium's crash handler.
    public static func stopStrays(mentioning text: String) {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for pid in entries.compactMap(Int32.init) where pid != getpid() && Processes.commandLine(pid).contains(text) {
            kill(pid, SIGKILL)
        }
    }

    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    deinit { stop(grace: .milliseconds(500)) }
}

/// A harness step failed: what was being done and what was seen.
public struct HarnessError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
