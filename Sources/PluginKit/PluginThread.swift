#if canImport(Glibc)
import Glibc
#endif
import LinuxShim

/// A thread a plugin starts in `start` and joins in `stop`: the body runs on
/// its own thread and waits on the given `StopSignal`, so stop never has to
/// wait for a sleep to finish. POSIX threads, not Foundation's `Thread`: a
/// plugin that needs nothing else of Foundation then does not load it (about
/// 8 MiB in every plugin child).
public final class PluginThread: @unchecked Sendable {
    private final class Body {
        let name: String
        let run: () -> Void
        init(name: String, _ run: @escaping () -> Void) {
            self.name = name
            self.run = run
        }
    }

    private let signal = StopSignal()
    private var thread: pthread_t?

    public init() {}

    /// Runs `body` on a new thread named `name` (shown by `top -H`, 15 bytes at most).
    public func start(name: String, _ body: @escaping @Sendable (StopSignal) -> Void) {
        precondition(thread == nil, "a PluginThread runs once")
        let context = Unmanaged.passRetained(Body(name: name) { [signal] in body(signal) }).toOpaque()
        var handle = pthread_t()
        let rc = pthread_create(&handle, nil, { raw in
            let body = Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue()
            _ = linux_set_thread_name(body.name)
            body.run()
            return nil
        }, context)
        precondition(rc == 0, "pthread_create: \(String(cString: strerror(rc)))")
        thread = handle
    }

    /// Asks the body to return and waits until it has.
    public func stop() {
        guard let thread else { return }
        signal.raise()
        _ = pthread_join(thread, nil)
        self.thread = nil
    }
}

/// Tells a plugin thread when to return.
public final class StopSignal: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var raised = false

    init() {
        pthread_mutex_init(mutex, nil)
        // Timed waits on the monotonic clock: a wall clock that steps neither cuts nor stretches them.
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    public var isRaised: Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return raised
    }

    func raise() {
        pthread_mutex_lock(mutex)
        raised = true
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
    }

    /// Sleeps up to `seconds`; returns true when stop was asked for meanwhile.
    public func wait(seconds: Double) -> Bool {
        var deadline = timespec()
        clock_gettime(CLOCK_MONOTONIC, &deadline)
        // Beyond a few decades is forever.
        let span = min(max(seconds, 0), 1e9)
        let nanoseconds = Int(deadline.tv_nsec) + Int((span - span.rounded(.down)) * 1e9)
        deadline.tv_sec += Int(span.rounded(.down)) + nanoseconds / 1_000_000_000
        deadline.tv_nsec = nanoseconds % 1_000_000_000
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while !raised && pthread_cond_timedwait(condition, mutex, &deadline) != ETIMEDOUT {}
        return raised
    }
}
