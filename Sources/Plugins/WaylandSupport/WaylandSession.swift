#if canImport(Glibc)
import Glibc
#endif
import X11Support

/// Runs a watcher against a Wayland compositor on one thread: connects,
/// blocks in poll(2) on the display's fd and a wake pipe (an idle desktop
/// costs no CPU), reconnects with backoff when the compositor goes away, and
/// tells the host what cannot be seen and why.
public final class WaylandSession: @unchecked Sendable {
    public typealias Log = @Sendable (_ warning: Bool, _ message: String) -> Void

    /// nil: $WAYLAND_DISPLAY.
    private let display: String?
    private let watcher: any WaylandWatcher
    private let log: Log
    private let clock: any MonotonicClock
    private var backoff: ReconnectBackoff
    private let control: SessionControl
    /// The last window id any connection gave out: ids go on from it after a reconnect.
    private var lastWindow: UInt32 = 0

    public init(display: String?, watcher: any WaylandWatcher, backoff: ReconnectBackoff,
                clock: any MonotonicClock = SystemMonotonicClock(), health: @escaping SessionControl.Health, log: @escaping Log) {
        self.display = display
        self.watcher = watcher
        self.backoff = backoff
        self.clock = clock
        self.log = log
        control = SessionControl(health: health)
    }

    /// [control-thread] Makes `run` return soon.
    public func stop() { control.stop() }

    /// [any-thread] Runs `work` on the session's thread with the time.
    public func post(_ work: @escaping @Sendable (Double) -> Void) { control.post(work) }

    /// Blocks until `stop`.
    public func run() {
        let shown = WaylandConnection.shownName(display)
        var lostBefore = false
        while !control.isStopping {
            let connection: WaylandConnection
            do { connection = try WaylandConnection.open(display, windowsAfter: lastWindow) } catch {
                if !lostBefore { control.report("\(error); retrying \(SessionControl.retryPace(backoff))") }
                control.waitForWake(timeout: backoff.next(), clock)
                continue
            }
            let reconnected = lostBefore
            lostBefore = false
            backoff.reset()
            watcher.attach(connection, now: clock.now)
            connection.flush()
            control.report(SessionControl.join(watcher.problems))
            log(false, reconnected ? "Wayland compositor at \(shown) is back" : "watching the Wayland compositor at \(shown)")
            serve(connection)
            let lost = connection.isLost
            let reason = connection.lostReason
            watcher.detach(now: clock.now, lost: lost)
            lastWindow = connection.lastWindow
            connection.close()
            guard lost, !control.isStopping else { break }
            lostBefore = true
            log(true, "the Wayland compositor at \(shown) went away (\(reason)); reconnecting")
            control.report("the Wayland compositor at \(shown) went away (\(reason)): no window, focus or clipboard is seen; reconnecting \(SessionControl.retryPace(backoff))")
            control.waitForWake(timeout: backoff.next(), clock)
        }
    }

    /// Handles events, posted work, deadlines and the watcher's own
    /// descriptors until the compositor goes away or the session stops.
    private func serve(_ connection: WaylandConnection) {
        let reader = watcher as? any WaylandDescriptorWatcher
        while !control.isStopping && !connection.isLost {
            control.runPosted(clock)
            if let deadline = watcher.nextDeadline, deadline <= clock.now { watcher.deadlineReached(now: clock.now) }
            // prepare() dispatches what was already read, which queues events: they are handled
            // before poll(), which would otherwise sleep on them.
            guard connection.prepare() else { return }
            while let event = connection.nextEvent() { watcher.handle(event, now: clock.now) }
            control.report(SessionControl.join(watcher.problems))
            connection.flush()  // what the handlers asked for
            let now = clock.now
            let timeout = control.hasPosted ? 0 : watcher.nextDeadline.map { max(0, $0 - now) }
            // Requests the full socket held back go out once it has room (the next prepare()).
            let display = Int16(POLLIN) | (connection.flushPending ? Int16(POLLOUT) : 0)
            var fds = [pollfd(fd: connection.fileDescriptor, events: display, revents: 0),
                       pollfd(fd: control.wake.readEnd, events: Int16(POLLIN), revents: 0)]
                + (reader?.descriptors ?? []).map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            _ = poll(&fds, nfds_t(fds.count), SessionControl.milliseconds(timeout))
            if fds[1].revents != 0 { control.wake.drain() }
            // Room to write is no reason to read: only data, a hang-up or an error are.
            connection.dispatch(readable: fds[0].revents & Int16(POLLIN | POLLHUP | POLLERR) != 0)
            for entry in fds.dropFirst(2) where entry.revents != 0 { reader?.readable(entry.fd, now: clock.now) }
        }
    }
}
