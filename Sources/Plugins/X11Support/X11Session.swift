#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Runs a watcher against an X server on one thread: connects, blocks in
/// poll(2) on the connection and a wake pipe (no polling: an idle desktop
/// costs no CPU), reconnects with backoff when the server goes away, and
/// tells the host honestly what cannot be seen and why.
public final class X11Session: @unchecked Sendable {
    public typealias Health = @Sendable (_ degraded: String?) -> Void
    public typealias Log = @Sendable (_ warning: Bool, _ message: String) -> Void

    private let environment: DisplayEnvironment
    private let watcher: any X11Watcher
    private let health: Health
    private let log: Log
    private let clock: any MonotonicClock
    private var backoff: ReconnectBackoff
    private let wake = WakePipe()
    private let stopping = Atomic<Bool>(false)
    private let posted = Mutex<[@Sendable (Double) -> Void]>([])
    /// The last health reported, so only changes reach the host.
    private var reported: String??

    public init(
        environment: DisplayEnvironment, watcher: any X11Watcher, backoff: ReconnectBackoff,
        clock: any MonotonicClock = SystemMonotonicClock(), health: @escaping Health, log: @escaping Log
    ) {
        self.environment = environment
        self.watcher = watcher
        self.backoff = backoff
        self.clock = clock
        self.health = health
        self.log = log
    }

    /// [control-thread] Makes `run` return soon; call before joining its thread.
    public func stop() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        wake.wake()
    }

    /// [any-thread] Runs `work` on the session's thread with the time, between
    /// two events (or while waiting to reconnect: it must cope with no connection).
    public func post(_ work: @escaping @Sendable (Double) -> Void) {
        posted.withLock { $0.append(work) }
        wake.wake()
    }

    private var isStopping: Bool { stopping.load(ordering: .sequentiallyConsistent) }

    /// Blocks until `stop`.
    public func run() {
        guard let display = environment.display else {
            report(environment.noDisplayReason)
            while !isStopping { waitForWake(timeout: nil) }
            return
        }
        var lostBefore = false
        while !isStopping {
            let connection: X11Connection
            do { connection = try X11Connection.open(display) } catch {
                // After a loss, keep saying the server went away: one state change, not one per try.
                if !lostBefore { report(join(["\(error); retrying \(retryPace)", environment.waylandReason])) }
                waitForWake(timeout: backoff.next())
                continue
            }
            let reconnected = lostBefore
            lostBefore = false
            backoff.reset()
            watcher.attach(connection, now: clock.now)
            connection.flush()
            reportProblems()
            log(false, reconnected ? "X display \(display) is back" : "watching X display \(display)")
            serve(connection)
            let lost = connection.isLost
            watcher.detach(now: clock.now, lost: lost)
            connection.close()
            guard lost, !isStopping else { break }
            lostBefore = true
            log(true, "X display \(display) went away; reconnecting")
            report(join(["X server of display \(display) went away; reconnecting \(retryPace)", environment.waylandReason]))
            waitForWake(timeout: backoff.next())
        }
    }

    /// Handles events, posted work and deadlines until the server goes away or
    /// the session stops.
    private func serve(_ connection: X11Connection) {
        while !isStopping && !connection.isLost {
            runPosted()
            if let deadline = watcher.nextDeadline, deadline <= clock.now { watcher.deadlineReached(now: clock.now) }
            // Draining is the last X call before poll(): XPending flushes our requests and
            // takes every event already read. Any other call (even XFlush, which lets XCB
            // read while it writes) could pull an event off the socket, and poll() would
            // then sleep on it until something else arrived.
            while let event = connection.nextEvent() {
                watcher.handle(event, now: clock.now)
                if connection.isLost { return }
            }
            if connection.isLost { return }
            reportProblems()
            let now = clock.now
            if posted.withLock({ !$0.isEmpty }) { continue }
            if let deadline = watcher.nextDeadline, deadline <= now { continue }
            let timeout = watcher.nextDeadline.map { max(0, $0 - now) }
            var fds = [pollfd(fd: connection.fileDescriptor, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: wake.readEnd, events: Int16(POLLIN), revents: 0)]
            _ = poll(&fds, 2, milliseconds(timeout))
            if fds[1].revents != 0 { wake.drain() }
        }
    }

    /// Tells the host what the watcher cannot see, when that changed.
    private func reportProblems() {
        report(join(watcher.problems + [environment.waylandReason]))
    }

    private func report(_ reason: String?) {
        guard reported != .some(reason) else { return }
        reported = .some(reason)
        health(reason)
    }

    private func runPosted() {
        let work = posted.withLock { list in
            defer { list.removeAll() }
            return list
        }
        for item in work { item(clock.now) }
    }

    private func waitForWake(timeout: Double?) {
        var fd = pollfd(fd: wake.readEnd, events: Int16(POLLIN), revents: 0)
        _ = poll(&fd, 1, milliseconds(timeout))
        wake.drain()
        runPosted()
    }

    private func milliseconds(_ seconds: Double?) -> Int32 {
        guard let seconds else { return -1 }
        return Int32(min(seconds * 1000, Double(Int32.max)).rounded(.up))
    }

    private func join(_ reasons: [String?]) -> String? {
        let present = reasons.compactMap { $0 }
        return present.isEmpty ? nil : present.joined(separator: "; ")
    }

    /// How often the session retries, in words.
    private var retryPace: String {
        let seconds = backoff.maximum
        return seconds < 1 ? "every \(Int(seconds * 1000)) ms at most" : "with backoff, at most \(Int(seconds.rounded())) s apart"
    }
}
