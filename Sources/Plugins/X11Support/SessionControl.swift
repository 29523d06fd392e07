#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// What the X11 and the Wayland session share around their poll loop: the
/// stop flag, work posted from other threads, the wake pipe that interrupts
/// poll(2), and health reported to the host only when it changes.
public final class SessionControl: @unchecked Sendable {
    public typealias Health = @Sendable (_ degraded: String?) -> Void

    public let wake = WakePipe()
    private let health: Health
    private let stopping = Atomic<Bool>(false)
    private let posted = Mutex<[@Sendable (Double) -> Void]>([])
    /// The last health reported; touched on the session's thread only.
    private var reported: String??

    public init(health: @escaping Health) { self.health = health }

    /// [control-thread] Makes the session's loop return soon.
    public func stop() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        wake.wake()
    }

    public var isStopping: Bool { stopping.load(ordering: .sequentiallyConsistent) }

    /// [any-thread] Queues `work` for the session's thread and wakes it.
    public func post(_ work: @escaping @Sendable (Double) -> Void) {
        posted.withLock { $0.append(work) }
        wake.wake()
    }

    public var hasPosted: Bool { posted.withLock { !$0.isEmpty } }

    /// Runs the posted work, with the time on `clock`.
    public func runPosted(_ clock: any MonotonicClock) {
        let work = posted.withLock { list in
            defer { list.removeAll() }
            return list
        }
        for item in work { item(clock.now) }
    }

    /// Sleeps until woken or `timeout` seconds passed, then runs the posted work.
    public func waitForWake(timeout: Double?, _ clock: any MonotonicClock) {
        var fd = pollfd(fd: wake.readEnd, events: Int16(POLLIN), revents: 0)
        _ = poll(&fd, 1, Self.milliseconds(timeout))
        wake.drain()
        runPosted(clock)
    }

    /// Tells the host what cannot be seen (nil: everything), when that changed.
    public func report(_ reason: String?) {
        guard reported != .some(reason) else { return }
        reported = .some(reason)
        health(reason)
    }

    /// A poll(2) timeout: -1 for none.
    public static func milliseconds(_ seconds: Double?) -> Int32 {
        guard let seconds else { return -1 }
        return Int32(min(seconds * 1000, Double(Int32.max)).rounded(.up))
    }

    /// The reasons present, in one line; nil when there are none.
    public static func join(_ reasons: [String?]) -> String? {
        let present = reasons.compactMap { $0 }
        return present.isEmpty ? nil : present.joined(separator: "; ")
    }

    /// How often a session retries, in words.
    public static func retryPace(_ backoff: ReconnectBackoff) -> String {
        let seconds = backoff.maximum
        return seconds < 1 ? "every \(Int(seconds * 1000)) ms at most" : "with backoff, at most \(Int(seconds.rounded())) s apart"
    }
}
