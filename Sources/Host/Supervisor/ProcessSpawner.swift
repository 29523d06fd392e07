#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// Starts plugin children from one thread that lives as long as the agent.
/// A child asks the kernel to kill it when its parent *thread* dies
/// (PR_SET_PDEATHSIG), and the threads of Swift's pool come and go, so every
/// spawn happens on this thread instead.
public final class ProcessSpawner: Sendable {
    public struct Request: Sendable {
        public var executable: String
        public var arguments: [String]
        /// Parent descriptors to install in the child under the given numbers.
        public var descriptors: [(child: Int32, parent: Int32)]
        /// Variables set in the child on top of the agent's own environment.
        public var environment: [String: String]

        public init(
            executable: String, arguments: [String], descriptors: [(child: Int32, parent: Int32)],
            environment: [String: String] = [:]
        ) {
            self.executable = executable
            self.arguments = arguments
            self.descriptors = descriptors
            self.environment = environment
        }
    }

    public struct SpawnError: Error, CustomStringConvertible {
        public let description: String
    }

    private final class ResultBox<T>: @unchecked Sendable { var value: T? }

    /// One piece of work for the thread, and the caller waiting for it.
    private final class Job: @unchecked Sendable {
        let work: () -> Void
        let done = DispatchSemaphore(value: 0)
        init(_ work: @escaping () -> Void) { self.work = work }
    }

    private final class JobQueue: Sendable {
        let jobs = Mutex<[Job]>([])
        let wake = DispatchSemaphore(value: 0)
    }

    private let queue = JobQueue()

    public init() {
        let thread = Thread { [queue] in
            while true {
                queue.wake.wait()
                guard let job = queue.jobs.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) else { continue }
                job.work()
                job.done.signal()
            }
        }
        thread.name = "spawner"
        thread.start()
    }

    /// Starts the program and returns its pid; blocks the caller briefly.
    public func spawn(_ request: Request) throws(SpawnError) -> pid_t {
        try onSpawnerThread { Self.run(request) }.get()
    }

    /// Runs `body` on the spawner's thread and returns its result: for
    /// starting a process some other way (Foundation's `Process`) with the
    /// same long-lived parent thread. Blocks the caller meanwhile.
    public func onSpawnerThread<T>(_ body: @escaping () -> T) -> T {
        // The thread may still hold the job for a moment after signalling, so
        // the closure escapes: its result travels in a box.
        let box = ResultBox<T>()
        let job = Job { box.value = body() }
        queue.jobs.withLock { $0.append(job) }
        queue.wake.signal()
        job.done.wait()
        return box.value!
    }

    private static func run(_ request: Request) -> Result<pid_t, SpawnError> {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (child, parent) in request.descriptors {
            posix_spawn_file_actions_adddup2(&actions, parent, child)
        }
        // A child reads nothing from the agent's stdin (a terminal under `make run`,
        // where a plugin or a runtime prompt could otherwise take the user's keys).
        if !request.descriptors.contains(where: { $0.child == 0 }) {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Children start with default signal handling and an empty mask, whatever
        // the agent ignores or blocks, and in a process group of their own so a
        // Ctrl-C reaches the agent, which then stops them in order.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGCHLD] { sigaddset(&defaults, signal) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP))

        let argv = ([request.executable] + request.arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let envp = request.environment.isEmpty ? [] : Environment.current.merging(request.environment) { $1 }
            .map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = envp.isEmpty
            ? posix_spawn(&pid, request.executable, &actions, &attributes, argv, environ)
            : posix_spawn(&pid, request.executable, &actions, &attributes, argv, envp)
        guard rc == 0 else {
            return .failure(SpawnError(description: "cannot start \(request.executable): \(String(cString: strerror(rc)))"))
        }
        return .success(pid)
    }
}

/// How a child ended, in words: "killed by signal 11 (SIGSEGV)".
public struct ExitStatus: Sendable, Equatable, CustomStringConvertible {
    public let raw: Int32

    public init(raw: Int32) { self.raw = raw }

    public var signal: Int32? { raw & 0x7F == 0 ? nil : raw & 0x7F }
    public var exitCode: Int32? { raw & 0x7F == 0 ? (raw >> 8) & 0xFF : nil }

    public var description: String {
        if let signal {
            return "killed by signal \(signal) (\(Self.signalName(signal)))" + (raw & 0x80 != 0 ? ", core dumped" : "")
        }
        return "exited with status \(exitCode ?? -1)"
    }

    static func signalName(_ signal: Int32) -> String {
        switch signal {
        case SIGSEGV: "SIGSEGV"
        case SIGABRT: "SIGABRT"
        case SIGKILL: "SIGKILL"
        case SIGBUS: "SIGBUS"
        case SIGFPE: "SIGFPE"
        case SIGILL: "SIGILL"
        case SIGTERM: "SIGTERM"
        case SIGINT: "SIGINT"
        case SIGTRAP: "SIGTRAP"
        case SIGPIPE: "SIGPIPE"
        default: String(cString: strsignal(signal))
        }
    }
}
