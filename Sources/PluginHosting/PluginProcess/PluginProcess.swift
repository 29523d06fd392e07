#if canImport(Glibc)
import Glibc
#endif
import LinuxShim
import ProctorJSON

/// The child side of the process model: `proctord-plugin-host` loads exactly
/// one plugin and relays between it and the parent over the socket pair on
/// `fd`. It links the Swift core runtime and nothing heavier (no Foundation,
/// no Dispatch), so the child of a C plugin stays a few MiB; and nothing of
/// it runs on Dispatch's worker pool, for which Linux's libdispatch keeps a
/// timer that would wake an idle child every second. The main thread
/// is the plugin's control thread: it reads the parent's frames and makes
/// every call into the plugin, so a plugin stuck in a call also stops
/// answering pings, which is how the parent sees a hang.
public enum PluginProcess {
    /// Exit codes the parent reads.
    public enum ExitCode: Int32 {
        case clean = 0
        case startFailed = 3
        case protocolError = 4
        case parentGone = 5
    }

    /// Prints the library's manifest as JSON on stdout (exit 0), or
    /// `{"error": "..."}` (exit 3). What `proctord plugins`, `check-config` and
    /// `doctor` run, so loading problems never touch the agent itself (the
    /// agent's own start reads the `hello` of the child that runs the plugin).
    public static func describe(library: String, parent: pid_t) -> Int32 {
        // A library stuck in its initialisers must not outlive the agent.
        if parent > 0 {
            _ = linux_set_parent_death_signal(SIGKILL)
            if getppid() != parent { return ExitCode.parentGone.rawValue }
        }
        do {
            let loaded = try PluginLibrary.open(path: library)
            print(JSONWriter.compact(loaded.manifest.json))
            return ExitCode.clean.rawValue
        } catch {
            print(JSONWriter.compact(["error": .string(error.description)]))
            return ExitCode.startFailed.rawValue
        }
    }

    public static func serve(library: String, fd: Int32, parent: pid_t, paths: AgentPaths) -> Never {
        // Die with the agent even when stuck inside a plugin call.
        _ = linux_set_parent_death_signal(SIGKILL)
        if getppid() != parent { _exit(ExitCode.parentGone.rawValue) }
        // Keep the channel out of anything the plugin might spawn.
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)

        let socket = FrameSocket(fd: fd)
        let queue = OutboundQueue()
        let writer = ChildThread(name: "relay-writer") { writeLoop(queue: queue, socket: socket) }

        func finish(_ code: ExitCode) -> Never {
            queue.close()
            writer.join()
            _exit(code.rawValue)
        }

        let loaded: PluginLibrary
        do { loaded = try PluginLibrary.open(path: library) } catch {
            queue.pushControl(Frame(.startFailed, text: error.description))
            finish(.startFailed)
        }
        queue.pushControl(Frame(.hello, text: JSONWriter.compact(loaded.manifest.json)))
        let output = RelayOutput(manifest: loaded.manifest, queue: queue)
        var instance: PluginInstance?

        var decoder = FrameDecoder()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 8)
        while true {
            let frame: Frame
            do {
                guard let next = try decoder.next() else {
                    guard try socket.receive(into: &decoder, buffer: buffer) else { _exit(ExitCode.parentGone.rawValue) }
                    continue
                }
                frame = next
            } catch {
                queue.pushControl(Frame.log(level: 3, message: "plugin-host: bad frame from parent: \(error)"))
                finish(.protocolError)
            }
            switch frame.kind {
            case .start:
                do {
                    if instance == nil {
                        instance = try PluginInstance(library: loaded, config: frame.text, output: output, paths: paths)
                    }
                    try instance!.start()
                    queue.pushControl(Frame(.started))
                } catch {
                    queue.pushControl(Frame(.startFailed, text: "\(error)"))
                    finish(.startFailed)
                }
            case .request:
                guard let (id, json) = frame.idAndText else { finish(.protocolError) }
                var answer = instance?.request(json)
                    ?? PluginInstance.error("not_running", "plugin \(loaded.manifest.id) has not been created yet")
                // The parent would take an oversized frame for a broken child and kill it.
                if answer.utf8.count > Frame.maximumLength - 16 {
                    answer = PluginInstance.error("response_too_large", "the answer of \(answer.utf8.count) bytes exceeds the \(Frame.maximumLength >> 20) MiB limit")
                }
                queue.pushControl(Frame(.response, id: id, text: answer))
            case .ping:
                // Straight from this thread when the channel is free, so a ping
                // wakes one thread of an idle child, not two; else behind the writer.
                let pong = Frame(.pong, frame.payload)
                do {
                    if try !socket.sendIfIdle(pong) { queue.pushControl(pong) }
                } catch {
                    _exit(ExitCode.parentGone.rawValue)  // as the writer does: nobody to talk to
                }
            case .stop:
                output.markStopped()
                instance?.stop()
                instance = nil
                queue.pushControl(Frame(.stopped))
                finish(.clean)
            default:
                queue.pushControl(Frame.log(level: 3, message: "plugin-host: unexpected frame \(frame.kind) from parent"))
                finish(.protocolError)
            }
        }
    }

    /// Sends what the queue holds, batching into as few writes as possible,
    /// and tells the parent how many events were dropped, at most 4 times a second.
    private static func writeLoop(queue: OutboundQueue, socket: FrameSocket) {
        var buffer: [UInt8] = []
        var reportedDrops: UInt64 = 0
        var lastReport = MonotonicTime.nanoseconds()
        while let dropped = queue.take(into: &buffer) {
            if dropped != reportedDrops && MonotonicTime.nanoseconds() - lastReport > 250_000_000 {
                Frame(.dropped, Frame.bytes(of: dropped)).append(to: &buffer)
                reportedDrops = dropped
                lastReport = MonotonicTime.nanoseconds()
            }
            do { try socket.send(bytes: buffer, timeoutMilliseconds: 30_000) } catch {
                // The parent stopped reading for 30 s or is gone: nobody to talk to.
                _exit(ExitCode.parentGone.rawValue)
            }
        }
    }
}
