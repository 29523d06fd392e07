#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import LinuxShim
import Synchronization

/// How a plugin child ended, handed from the thread that reaps it to the
/// thread that reads its output, which needs it for a crash report. The
/// reaper never waits; the reader is woken through `wakeFD` even while it
/// waits for output that something outside the child's group may hold open.
final class ChildEnding: Sendable {
    struct End: Sendable {
        var plugin: String
        var library: String
        var pid: Int32
        var status: ExitStatus
        /// Why the agent killed the child, when it did.
        var killReason: String?
        var time: Timestamp
    }

    private let end = Mutex<End?>(nil)
    private let delivered = DispatchSemaphore(value: 0)
    private let pipe: (read: Int32, write: Int32)

    /// Readable once the end is known.
    var wakeFD: Int32 { pipe.read }

    init() throws(ChildPlugin.RequestError) {
        var fds: [Int32] = [-1, -1]
        guard linux_pipe_cloexec(&fds) == 0 else {
            throw ChildPlugin.RequestError(description: "pipe2: \(String(cString: strerror(errno)))")
        }
        pipe = (fds[0], fds[1])
    }

    func deliver(_ value: End) {
        end.withLock { $0 = value }
        var byte: UInt8 = 1
        _ = write(pipe.write, &byte, 1)
        delivered.signal()
    }

    /// Waits for the end; call once.
    func wait() -> End {
        delivered.wait()
        return end.withLock { $0! }
    }

    deinit {
        close(pipe.read)
        close(pipe.write)
    }
}
