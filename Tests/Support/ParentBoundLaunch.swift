import Foundation
import ProctorHost

/// Starts a test's child processes so they die with the test run, even when
/// it is killed (Ctrl-C on `make test`): each is wrapped in `setpriv
/// --pdeathsig KILL`, and started from one thread that lives as long as the
/// test process, because the kernel ties that signal to the parent *thread*.
public enum ParentBoundLaunch {
    /// The agent's own spawner: one thread that outlives every test, shared
    /// with `SpawnedProcess`.
    static let spawner = ProcessSpawner()

    /// Points `process` at `setpriv` around its executable and starts it.
    public static func run(_ process: Process) throws {
        let executable = process.executableURL?.path ?? "/bin/true"
        process.arguments = ["--pdeathsig", "KILL", "--", executable] + (process.arguments ?? [])
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        try spawner.onSpawnerThread { Result { try process.run() } }.get()
    }
}
