import Foundation
import Synchronization

/// Starts a test's child processes so they die with the test run, even when
/// it is killed (Ctrl-C on `make test`): each is wrapped in `setpriv
/// --pdeathsig KILL`, and started from one thread that lives as long as the
/// test process, because the kernel ties that signal to the parent *thread*.
public enum ParentBoundLaunch {
    private static let launcher = Launcher()

    /// Points `process` at `setpriv` around its executable and starts it.
    public static func run(_ process: Process) throws {
        let executable = process.executableURL?.path ?? "/bin/true"
        process.arguments = ["--pdeathsig", "KILL", "--", executable] + (process.arguments ?? [])
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        try launcher.launch(process)
    }

    private final class Request: @unchecked Sendable {
        let process: Process
        let done = DispatchSemaphore(value: 0)
        var failure: (any Error)?
        init(_ process: Process) { self.process = process }
    }

    private final class Launcher: @unchecked Sendable {
        private let requests = Mutex<[Request]>([])
        private let wake = DispatchSemaphore(value: 0)

        init() {
            let thread = Thread { [self] in
                while true {
                    wake.wait()
                    guard let request = requests.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) else { continue }
                    do { try request.process.run() } catch { request.failure = error }
                    request.done.signal()
                }
            }
            thread.name = "test-launcher"
            thread.start()
        }

        func launch(_ process: Process) throws {
            let request = Request(process)
            requests.withLock { $0.append(request) }
            wake.signal()
            request.done.wait()
            if let failure = request.failure { throw failure }
        }
    }
}
