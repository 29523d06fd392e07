#if canImport(Glibc)
import Glibc
#endif
import LinuxShim
import Foundation
import Logging
import Synchronization

/// The agent's handle on one running plugin child: relays the child's events
/// into the bus from a reader thread of its own, answers for requests, pings
/// the child and kills it when it stops answering, and says how it ended.
/// Nothing the child sends is trusted: each frame is checked again here, and
/// a child that breaks the protocol is killed.
final class ChildPlugin: Sendable {
    enum Lifecycle: Sendable, Equatable {
        case started
        case health(degraded: String?)
        case dropped(total: UInt64)
        /// The child is gone; the reason says how.
        case exited(String)
    }

    struct Spec: Sendable {
        /// The id events, logs and states carry: the config entry's id.
        var instanceID: String
        /// `proctord-plugin-host`.
        var executable: String
        var library: String
        var manifest: PluginManifest
        var config: String
        var hangTimeout: Duration
        /// The agent's directories, which the plugin is given.
        var paths: AgentPaths
    }

    struct RequestError: Error, CustomStringConvertible {
        let description: String
    }

    let pid: pid_t
    let spec: Spec
    private let socket: FrameSocket
    private let bus: EventBus
    private let logger: Logger
    private let onLifecycle: @Sendable (Lifecycle) -> Void
    private let pending = Mutex<(next: UInt64, waiting: [UInt64: CheckedContinuation<String, any Error>], exited: Bool)>((1, [:], false))
    /// The number of the last ping the child answered.
    private let answeredPing = Atomic<UInt64>(0)
    /// Calls into the plugin under way on the child's control thread: its
    /// start (sent at launch) and the requests not answered yet. Only a call
    /// can hang the control thread, so the watchdog pings only while one is.
    private let callsUnderWay = Mutex(1)
    /// A pipe that wakes the watchdog when a call begins.
    private let kick: (read: Int32, write: Int32)
    /// Why the agent killed the child, when it did; wins over the exit status.
    private let killReason = Mutex<String?>(nil)
    private let startFailure = Mutex<String?>(nil)
    /// Tells the watchdog the reader has finished (the child is reaped).
    private let watchdogWake = DispatchSemaphore(value: 0)
    private let exitState = Mutex<(done: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))
    /// True once the child is reaped: its pid, and the process group it led,
    /// may then belong to someone else and must not be signalled.
    private let reaped = Mutex(false)
    private let health: HealthThrottle
    /// How the child ended, for the thread that reads its output (crash reports).
    private let ending: ChildEnding
    /// Log lines a plugin may send through the ABI per second.
    static let logLinesPerSecond = 50

    /// Starts a child for `spec` and asks it to run the plugin; the child
    /// checks its library's hello itself (see `handle`).
    static func launch(
        _ spec: Spec, spawner: ProcessSpawner, bus: EventBus, logger: Logger,
        onLifecycle: @escaping @Sendable (Lifecycle) -> Void
    ) throws -> ChildPlugin {
        let loading = try LoadingChild.spawn(
            .init(instanceID: spec.instanceID, executable: spec.executable, library: spec.library, paths: spec.paths),
            spawner: spawner, logger: logger)
        return adopt(loading, spec: spec, bus: bus, logger: logger, onLifecycle: onLifecycle)
    }

    /// Takes over a child that was started for `spec` (its hello may already
    /// have been read, as the agent's load probe) and asks it to run the plugin.
    static func adopt(
        _ loading: LoadingChild, spec: Spec, bus: EventBus, logger: Logger,
        onLifecycle: @escaping @Sendable (Lifecycle) -> Void
    ) -> ChildPlugin {
        let child = ChildPlugin(
            pid: loading.pid, spec: spec, socket: loading.socket, bus: bus, logger: logger, ending: loading.ending,
            onLifecycle: onLifecycle)
        child.startThreads(decoder: loading.decoder)
        try? loading.socket.send(Frame(.start, text: spec.config))
        return child
    }

    private init(
        pid: pid_t, spec: Spec, socket: FrameSocket, bus: EventBus, logger: Logger, ending: ChildEnding,
        onLifecycle: @escaping @Sendable (Lifecycle) -> Void
    ) {
        self.pid = pid
        self.ending = ending
        self.spec = spec
        self.socket = socket
        self.bus = bus
        var logger = logger
        logger[metadataKey: "plugin"] = .string(spec.instanceID)
        self.logger = logger
        self.onLifecycle = onLifecycle
        health = HealthThrottle { onLifecycle(.health(degraded: $0)) }
        var kick: [Int32] = [-1, -1]
        _ = linux_pipe_cloexec(&kick)
        _ = fcntl(kick[0], F_SETFL, O_NONBLOCK)
        _ = fcntl(kick[1], F_SETFL, O_NONBLOCK)
        self.kick = (kick[0], kick[1])
    }

    deinit {
        close(kick.read)
        close(kick.write)
    }

    /// The reader (which carries on from `decoder`) and the watchdog; the
    /// child's output has been read since it started (see `LoadingChild`).
    private func startThreads(decoder: FrameDecoder) {
        let reader = Thread { [self] in readLoop(decoder: decoder) }
        reader.name = "relay-\(spec.instanceID)"
        reader.start()
        // Opened before any thread can reap the child, so it names this child.
        let exitFD = linux_pidfd_open(pid)
        let watchdog = Thread { [self] in watchdogLoop(exitFD: exitFD) }
        watchdog.name = "watchdog-\(spec.instanceID)"
        watchdog.start()
    }

    /// Sends a request and waits for the plugin's answer (a JSON object).
    func request(_ json: String) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            let id: UInt64? = pending.withLock { state in
                guard !state.exited else { return nil }
                let id = state.next
                state.next += 1
                state.waiting[id] = continuation
                return id
            }
            guard let id else {
                continuation.resume(throwing: RequestError(description: "plugin \(spec.instanceID) is not running"))
                return
            }
            beginCall()
            do { try socket.send(Frame(.request, id: id, text: json), timeoutMilliseconds: 1000) } catch {
                if let waiting = pending.withLock({ $0.waiting.removeValue(forKey: id) }) {
                    endCall()
                    waiting.resume(throwing: RequestError(description: "plugin \(spec.instanceID) is not reading: \(error)"))
                }
            }
        }
    }

    /// Asks the child to stop and waits up to `grace`, then kills it.
    func stop(grace: Duration) async {
        try? socket.send(Frame(.stop), timeoutMilliseconds: 200)
        let killer = Task { [self] in
            try await Task.sleep(for: grace)
            kill(reason: "did not stop within \(grace); killed")
        }
        await waitForExit()
        killer.cancel()
    }

    /// Returns once the child has been reaped.
    func waitForExit() async {
        await withCheckedContinuation { continuation in
            let done = exitState.withLock { state in
                if !state.done { state.waiters.append(continuation) }
                return state.done
            }
            if done { continuation.resume() }
        }
    }

    /// Kills the child and whatever it started in its process group (a plugin
    /// that forked); `reason` becomes how it ended. Also wakes the reader, which
    /// a forked process holding the child's end of the channel would keep waiting.
    func kill(reason: String) {
        killReason.withLock { if $0 == nil { $0 = reason } }
        reaped.withLock { reaped in
            guard !reaped else { return }
            _ = Glibc.kill(-pid, SIGKILL)  // the child leads its own process group (see ProcessSpawner)
        }
        socket.shutdown()
    }

    private func readLoop(decoder: FrameDecoder) {
        var decoder = decoder
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 << 10, alignment: 8)
        defer { buffer.deallocate() }
        let check = EmitCheck(manifest: spec.manifest)
        // Events read in one go are published together (see EventBus.publish(batch:));
        // any other frame first flushes them, so the order is kept.
        var events: [(topic: String, data: String)] = []
        var logBudget = LineBudget(perSecond: Self.logLinesPerSecond)
        func flush() {
            if !events.isEmpty { bus.publish(plugin: spec.instanceID, batch: events) }
            events.removeAll(keepingCapacity: true)
        }
        // What came with the hello (nothing, from a well-behaved child) first.
        var carried = true
        reading: while true {
            do {
                if !carried { guard try socket.receive(into: &decoder, buffer: buffer) else { break } }
                carried = false
                while let frame = try decoder.next() {
                    if frame.kind == .event {
                        switch Self.event(in: frame, check: check) {
                        case .success(let event): events.append(event)
                        case .failure(let violation):
                            kill(reason: "protocol violation: \(violation.description); killed")
                            break reading
                        }
                        continue
                    }
                    flush()
                    if let violation = handle(frame, logBudget: &logBudget) {
                        kill(reason: "protocol violation: \(violation); killed")
                        break reading
                    }
                }
                flush()
            } catch {
                kill(reason: "protocol violation: \(error); killed")
                break
            }
        }
        flush()
        if logBudget.suppressed > 0 { logger.warning("\(logBudget.suppressed) more log lines suppressed") }
        finish()
    }

    struct Violation: Error, CustomStringConvertible {
        let description: String
    }

    /// An event frame's topic and data, checked as the plugin's own side checked them.
    static func event(in frame: Frame, check: EmitCheck) -> Result<(topic: String, data: String), Violation> {
        guard let topicLength = frame.payload.first.map(Int.init), frame.payload.count > topicLength else {
            return .failure(Violation(description: "truncated event"))
        }
        let verdict = frame.payload.withUnsafeBytes { raw in
            check.check(topic: UnsafeRawBufferPointer(rebasing: raw[1..<(1 + topicLength)]),
                        data: UnsafeRawBufferPointer(rebasing: raw[(1 + topicLength)...]))
        }
        if case .invalid(let why) = verdict { return .failure(Violation(description: why)) }
        return .success((String(decoding: frame.payload[1..<(1 + topicLength)], as: UTF8.self),
                         String(decoding: frame.payload[(1 + topicLength)...], as: UTF8.self)))
    }

    /// Acts on one frame other than an event; returns a description of the
    /// violation if it is one.
    private func handle(_ frame: Frame, logBudget: inout LineBudget) -> String? {
        switch frame.kind {
        case .event:
            return "event handled elsewhere"
        case .log:
            guard let level = frame.payload.first else { return "empty log frame" }
            let (allowed, heldBack) = logBudget.admit(now: MonotonicTime.milliseconds())
            if heldBack > 0 { logger.warning("\(heldBack) more log lines suppressed") }
            if allowed {
                logger.log(level: Logger.Level(syslog: Int32(level)), "\(String(decoding: frame.payload.dropFirst(), as: UTF8.self))")
            }
        case .health:
            guard let code = frame.payload.first else { return "empty health frame" }
            let reason = String(decoding: frame.payload.dropFirst(), as: UTF8.self)
            health.report(degraded: code == 0 ? nil : (reason.isEmpty ? "degraded" : reason))
        case .response:
            guard let (id, json) = frame.idAndText else { return "truncated response" }
            guard let waiting = pending.withLock({ $0.waiting.removeValue(forKey: id) }) else { break }
            endCall()
            waiting.resume(returning: json)
        case .pong:
            guard frame.payload.count == 8 else { return "malformed pong" }
            answeredPing.store(frame.payload.enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }, ordering: .relaxed)
        case .started:
            endCall()
            onLifecycle(.started)
        case .startFailed:
            endCall()
            startFailure.withLock { $0 = frame.text }
        case .dropped:
            guard frame.payload.count == 8 else { return "malformed drop count" }
            onLifecycle(.dropped(total: frame.payload.enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }))
        case .hello:
            guard let text = Optional(frame.text), text.contains("\"id\":\"\(spec.manifest.id)\"") else {
                return "hello from a plugin that is not \(spec.manifest.id)"
            }
        case .stopped:
            break
        case .start, .request, .ping, .stop:
            return "host-only frame \(frame.kind) sent by the child"
        }
        return nil
    }

    /// Reaps the child and reports how it ended; fails waiting requests.
    private func finish() {
        socket.shutdown()
        // The channel ended: the child is exiting. Give it a moment, then make sure.
        var exited = false
        for _ in 0..<200 where !exited {
            exited = linux_child_has_exited(pid) == 1
            if !exited { usleep(10_000) }
        }
        if !exited { kill(reason: killReason.withLock { $0 } ?? "closed its channel but did not exit; killed") }
        let status = reap()
        socket.close()
        let waiting = pending.withLock { state in
            state.exited = true
            defer { state.waiting.removeAll() }
            return Array(state.waiting.values)
        }
        for continuation in waiting {
            continuation.resume(throwing: RequestError(description: "plugin \(spec.instanceID) exited before answering"))
        }
        let exit = ExitStatus(raw: status)
        ending.deliver(.init(plugin: spec.instanceID, library: spec.library, pid: pid, status: exit,
                             killReason: killReason.withLock { $0 }, time: .now()))
        let reason = killReason.withLock { $0 }
            ?? startFailure.withLock { $0.map { "start failed: \($0)" } }
            ?? exit.description
        watchdogWake.signal()
        onLifecycle(.exited(reason))
        for waiter in exitState.withLock({ state in
            state.done = true
            defer { state.waiters.removeAll() }
            return state.waiters
        }) { waiter.resume() }
    }

    /// Reaps the child once it has exited, first killing what is left of its
    /// process group (what it forked) while its pid still reserves the group.
    /// The wait happens outside the lock: a child stuck in the kernel must not
    /// hold up `kill` callers too.
    private func reap() -> Int32 {
        _ = linux_wait_for_child_exit(pid)
        return reaped.withLock { reaped in
            _ = Glibc.kill(-pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            reaped = true
            return status
        }
    }

    private func beginCall() {
        guard callsUnderWay.withLock({ calls in
            calls += 1
            return calls == 1
        }) else { return }
        var byte: UInt8 = 1
        _ = write(kick.write, &byte, 1)
    }

    private func endCall() {
        callsUnderWay.withLock { $0 = max(0, $0 - 1) }
    }

    /// While a call into the plugin is under way, pings the child once per
    /// hang timeout, the first ping right behind the call, and kills it when a
    /// ping is still unanswered a hang timeout after it was sent: a call that
    /// hangs is ended one to two hang timeouts after it began. Between
    /// calls the control thread waits in the child's own code and cannot hang,
    /// so an idle child is never pinged. Also notices a child that exited while
    /// something it forked keeps the channel open, which the reader would never
    /// see: `exitFD` (a pidfd) wakes this thread at the exit. Without one (a
    /// kernel before 5.3) it looks a few times per timeout.
    private func watchdogLoop(exitFD: Int32) {
        defer { if exitFD >= 0 { close(exitFD) } }
        let timeout = UInt64(spec.hangTimeout.components.seconds * 1000 + spec.hangTimeout.components.attoseconds / 1_000_000_000_000_000)
        let look: UInt64? = exitFD >= 0 ? nil : max(20, min(1000, timeout / 4))
        var sent: UInt64 = 0
        var sentAt: UInt64 = 0
        var due: UInt64?
        while true {
            let now = MonotonicTime.milliseconds()
            let busy = callsUnderWay.withLock { $0 } > 0
            if busy && due == nil || due.map({ now >= $0 }) == true {
                if sent > answeredPing.load(ordering: .relaxed) {
                    kill(reason: "hung: no answer to pings for \(now - sentAt) ms; killed")
                    return
                }
                if busy {
                    sent += 1
                    sentAt = now
                    due = now + timeout
                    try? socket.send(Frame(.ping, Frame.bytes(of: sent)), timeoutMilliseconds: 50)
                } else {
                    due = nil
                }
                continue
            }
            let wait = [due.map { $0 - now }, look].compactMap { $0 }.min().map { Int32(clamping: $0) } ?? -1
            var fds = [pollfd(fd: kick.read, events: Int16(POLLIN), revents: 0), pollfd(fd: exitFD, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&fds, exitFD >= 0 ? 2 : 1, wait)
            if ready < 0 && errno != EINTR { return }
            if fds[0].revents != 0 {
                var drain = [UInt8](repeating: 0, count: 64)
                while read(kick.read, &drain, drain.count) > 0 {}
            }
            if (exitFD >= 0 && fds[1].revents != 0) || (exitFD < 0 && linux_child_has_exited(pid) == 1) {
                // Give the reader a moment to take the child's last frames and
                // finish; if it does not, someone else holds the channel open.
                if watchdogWake.wait(timeout: .now() + .seconds(1)) == .timedOut { socket.shutdown() }
                return
            }
        }
    }
}
