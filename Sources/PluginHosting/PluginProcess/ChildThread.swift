#if canImport(Glibc)
import Glibc
#endif
import LinuxShim

/// A POSIX thread for one of the child's blocking loops. Foundation's
/// `Thread` would load Foundation (and ICU) into every plugin child only for
/// this; a C plugin's child then needs no more than the Swift core runtime.
struct ChildThread {
    private final class Body {
        let name: String
        let run: @Sendable () -> Void
        init(name: String, _ run: @escaping @Sendable () -> Void) {
            self.name = name
            self.run = run
        }
    }

    private let thread: pthread_t

    /// Starts `body` at once; `name` (15 bytes at most) shows in `top -H`.
    init(name: String, _ body: @escaping @Sendable () -> Void) {
        var thread = pthread_t()
        let context = Unmanaged.passRetained(Body(name: name, body)).toOpaque()
        let rc = pthread_create(&thread, nil, { raw in
            let body = Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue()
            _ = linux_set_thread_name(body.name)
            body.run()
            return nil
        }, context)
        precondition(rc == 0, "pthread_create: \(String(cString: strerror(rc)))")
        self.thread = thread
    }

    /// Waits for the body to return; once only.
    func join() {
        _ = pthread_join(thread, nil)
    }
}
