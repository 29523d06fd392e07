#if canImport(Glibc)
import Glibc
#endif

/// Runs a watcher against an X server on one thread: connects, blocks in
/// poll(2) on the connection and a wake pipe (no polling: an idle desktop
/// costs no CPU), reconnects with backoff when the server goes away, and
/// tells the host honestly what cannot be seen and why.
public final class X11Session: @unchecked Sendable {
    public typealias Health = SessionControl.Health
    public typealias Log = @Sendable (_ warning: Bool, _ message: String) -> Void

    private let environment: DisplayEnvironment
    private let watcher: any X11Watcher
    private let log: Log
    private let clock: any MonotonicClock
    private var backoff: ReconnectBackoff
    private let control: SessionControl

    public init(
        environment: DisplayEnvironment, watcher: any X11Watcher, backoff: ReconnectBackoff,
        clock: any MonotonicClock = SystemMonotonicClock(), health: @escaping Health, log: @escaping Log
    ) {
        self.environment = environment
        self.watcher = watcher
        self.backoff = backoff
        self.clock = clock
        self.log = log
        control = SessionControl(health: health)
    }

    /// [control-thread] Makes `run` return soon; call before joining its thread.
    public func stop() { control.stop() }

    /// [any-thread] Runs `work` on the session's thread with the time, between
    /// two events (or while waiting to reconnect: it must cope with no connection).
    public func post(_ work: @escaping @Sendable (Double) -> Void) { control.post(work) }

    private var isStopping: Bool { control.isStopping }

    /// Blocks until `stop`.
    public func run() {
        guard let display = environment.display else {
            control.report(environment.noDisplayReason)
            while !isStopping { control.waitForWake(timeout: nil, clock) }
            return
        }
        var lostBefore = false
        while !isStopping {
            let connection: X11Connection
            do { connection = try X11Connection.open(display) } catch {
                // After a loss, keep saying the server went away: one state change, not one per try.
                if !lostBefore { control.report(SessionControl.join(["\(error); retrying \(retryPace)", environment.waylandReason])) }
                control.waitForWake(timeout: backoff.next(), clock)
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
            control.report(SessionControl.join(["X server of display \(display) went away; reconnecting \(retryPace)", environment.waylandReason]))
            control.waitForWake(timeout: backoff.next(), clock)
        }
    }

    /// Handles events, posted work and deadlines until the server goes away or
    /// the session stops.
    private func serve(_ connection: X11Connection) {
        while !isStopping && !connection.isLost {
            control.runPosted(clock)
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
            if control.hasPosted { continue }
            if let deadline = watcher.nextDeadline, deadline <= now { continue }
            let timeout = watcher.nextDeadline.map { max(0, $0 - now) }
            var fds = [pollfd(fd: connection.fileDescriptor, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: control.wake.readEnd, events: Int16(POLLIN), revents: 0)]
            _ = poll(&fds, 2, SessionControl.milliseconds(timeout))
            if fds[1].revents != 0 { control.wake.drain() }
        }
    }

    /// Tells the host what the watcher cannot see, when that changed.
    private func reportProblems() {
        control.report(SessionControl.join(watcher.problems + [environment.waylandReason]))
    }

    private var retryPace: String { SessionControl.retryPace(backoff) }
}
