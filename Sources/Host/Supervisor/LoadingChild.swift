#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LinuxShim
import Logging
import ProctorJSON

/// A plugin child just started and loading its library. Its first frame says
/// whether the library loads: `hello` with the manifest, or the load error.
/// At the agent's start that answer is the load probe, and the same child then
/// runs the plugin (`ChildPlugin.adopt`): each library is loaded once, not once
/// in a throwaway probe and again in the child (for the gaze plugin that was
/// OpenCV twice). Its output is logged from the moment it starts, so a library
/// that talks while it loads never fills the pipe and stalls.
final class LoadingChild: @unchecked Sendable {
    let pid: pid_t
    let library: String
    let socket: FrameSocket
    let ending: ChildEnding
    /// Bytes read after the hello, for the reader that takes over.
    private(set) var decoder = FrameDecoder()

    struct Request {
        var instanceID: String
        /// `proctord-plugin-host`.
        var executable: String
        var library: String
        var paths: AgentPaths
    }

    static func spawn(_ request: Request, spawner: ProcessSpawner, logger: Logger) throws -> LoadingChild {
        let ending = try ChildEnding()
        let (parentEnd, childEnd) = try FrameSocket.pair()
        var output: [Int32] = [-1, -1]
        guard linux_pipe_cloexec(&output) == 0 else {
            parentEnd.close(); childEnd.close()
            throw ChildPlugin.RequestError(description: "pipe2: \(String(cString: strerror(errno)))")
        }
        let pid: pid_t
        do {
            pid = try spawner.spawn(.init(
                executable: request.executable,
                arguments: ["--library", request.library, "--fd", "3", "--parent", String(getpid()),
                            "--state-dir", request.paths.stateDirectory, "--runtime-dir", request.paths.runtimeDirectory,
                            "--data-dir", request.paths.dataDirectory],
                descriptors: [(child: Int32(3), parent: childEnd.fd), (child: Int32(1), parent: output[1]), (child: Int32(2), parent: output[1])],
                environment: CrashReport.childEnvironment))
        } catch {
            parentEnd.close(); childEnd.close(); close(output[0]); close(output[1])
            throw error
        }
        childEnd.close()
        close(output[1])
        var logger = logger
        logger[metadataKey: "plugin"] = .string(request.instanceID)
        let crashDirectory = request.paths.stateDirectory + "/crashes"
        let outputFD = output[0]
        let outputLog = Thread { [logger] in
            ChildOutputLog(fd: outputFD, logger: logger, ending: ending, crashDirectory: crashDirectory).run()
        }
        outputLog.name = "output-\(request.instanceID)"
        outputLog.start()
        return LoadingChild(pid: pid, library: request.library, socket: parentEnd, ending: ending)
    }

    private init(pid: pid_t, library: String, socket: FrameSocket, ending: ChildEnding) {
        self.pid = pid
        self.library = library
        self.socket = socket
        self.ending = ending
    }

    /// Blocks until the child says whether its library loads. On failure the
    /// child is gone (killed if it hung) and reaped, in the probe's words:
    /// the load error the child relays, or that it crashed or hung while loading.
    func awaitHello(instanceID: String, timeoutSeconds: Double) -> Result<PluginManifest, PluginLoadError> {
        let deadline = MonotonicTime.milliseconds() + UInt64(timeoutSeconds * 1000)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 16384, alignment: 8)
        defer { buffer.deallocate() }
        var answer: Frame?
        reading: while answer == nil {
            do {
                if let frame = try decoder.next() {
                    answer = frame
                    break
                }
            } catch {
                return fail(instanceID: instanceID, .crashedWhileLoading(path: library, reason: "sent a broken frame: \(error)"), kill: true)
            }
            let left = Int64(deadline) - Int64(MonotonicTime.milliseconds())
            guard left > 0 else { break }
            var poller = pollfd(fd: socket.fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(clamping: left))
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { continue }
            do {
                guard try socket.receive(into: &decoder, buffer: buffer) else { break reading }
            } catch {
                break reading
            }
        }
        guard let answer else {
            if MonotonicTime.milliseconds() >= deadline {
                let seconds = Int(timeoutSeconds.rounded())
                return fail(instanceID: instanceID, .hungWhileLoading(path: library, seconds: seconds), kill: true,
                            reason: "did not finish loading within \(seconds) s; killed")
            }
            // The channel closed without a word: the child died while loading.
            let status = reap(instanceID: instanceID, killReason: nil)
            if status.signal != nil { return .failure(.crashedWhileLoading(path: library, reason: status.description)) }
            return .failure(.crashedWhileLoading(path: library, reason: "\(status.description) without a manifest"))
        }
        switch answer.kind {
        case .hello:
            guard let json = try? JSONParser.parse(answer.text), let manifest = PluginManifest.fromHello(json) else {
                return fail(instanceID: instanceID, .cannotOpen(path: library, reason: "unreadable manifest"), kill: true)
            }
            if case .failure(let error) = manifest { return fail(instanceID: instanceID, error, kill: true) }
            return manifest
        case .startFailed:
            // The child printed the load error's own words, and exits.
            return fail(instanceID: instanceID, .relayed(answer.text), kill: false)
        default:
            return fail(instanceID: instanceID, .crashedWhileLoading(path: library, reason: "sent \(answer.kind) before its manifest"), kill: true)
        }
    }

    /// Ends a child that will not run its plugin (its config was refused, or
    /// the agent gave up on it) and reaps it.
    func discard(instanceID: String, reason: String) {
        _ = reap(instanceID: instanceID, killReason: reason, kill: true)
    }

    private func fail(
        instanceID: String, _ error: PluginLoadError, kill: Bool, reason: String? = nil
    ) -> Result<PluginManifest, PluginLoadError> {
        _ = reap(instanceID: instanceID, killReason: kill ? (reason ?? "could not be loaded; killed") : nil, kill: kill)
        return .failure(error)
    }

    /// Waits for the child (killing its process group first when asked, or
    /// when it lingers after its channel closed), closes the channel and
    /// tells the output thread how it ended.
    private func reap(instanceID: String, killReason: String?, kill: Bool = false) -> ExitStatus {
        var killReason = killReason
        if kill {
            // The child leads its own process group (see ProcessSpawner): what it forked goes too.
            _ = Glibc.kill(-pid, SIGKILL)
        } else {
            var exited = false
            for _ in 0..<200 where !exited {
                exited = linux_child_has_exited(pid) == 1
                if !exited { usleep(10_000) }
            }
            if !exited {
                killReason = "closed its channel but did not exit; killed"
                _ = Glibc.kill(-pid, SIGKILL)
            }
        }
        _ = linux_wait_for_child_exit(pid)
        // Whatever it forked, while its pid still reserves the group.
        _ = Glibc.kill(-pid, SIGKILL)
        var raw: Int32 = 0
        while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
        socket.close()
        let status = ExitStatus(raw: raw)
        ending.deliver(.init(plugin: instanceID, library: library, pid: pid, status: status, killReason: killReason, time: .now()))
        return status
    }
}
