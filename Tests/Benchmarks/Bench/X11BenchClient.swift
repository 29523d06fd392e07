#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization
import X11Support

/// The benchmark's own X client: it owns selections and answers conversion
/// requests as an application would, and asks the window manager for focus
/// and full-screen changes. Its connection lives on one thread; work is
/// handed to that thread and returns the monotonic time it acted at.
final class X11BenchClient: @unchecked Sendable {
    private let display: String
    private let lock = NSLock()
    private var work: [(X11Connection) -> Void] = []  // guarded by lock
    private let stopping = Atomic<Bool>(false)
    private let ready = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private var owners: [WindowID] = []

    init(display: String) throws {
        self.display = display
        let thread = Thread { [self] in loop() }
        thread.name = "bench-x11"
        thread.start()
        ready.wait()
        guard !owners.isEmpty else { throw BenchError("cannot connect to \(display)") }
    }

    /// Runs `body` on the X thread, flushes, and returns when it is done.
    func perform<T: Sendable>(_ body: @escaping (X11Connection) -> T) -> T {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: T?
        lock.withLock {
            work.append { connection in
                result = body(connection)
                connection.flush()
                done.signal()
            }
        }
        done.wait()
        return result!
    }

    /// Takes CLIPBOARD with one of two windows in turn (so every trial is a
    /// change of owner); returns the owner and when it acted.
    func takeClipboard(trial: Int) -> (owner: WindowID, at: Double) {
        perform { [owners] connection in
            let owner = owners[trial % 2]
            let at = SystemMonotonicClock().now
            connection.own(connection.atoms["CLIPBOARD"], by: owner)
            return (owner, at)
        }
    }

    func stop() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        finished.wait()
    }

    private func loop() {
        guard let connection = try? X11Connection.open(display) else {
            ready.signal()
            finished.signal()
            return
        }
        owners = [connection.createHelperWindow(), connection.createHelperWindow()]
        connection.flush()
        ready.signal()
        let text = Array("benchmark text".utf8)
        while !stopping.load(ordering: .sequentiallyConsistent) {
            let pending = lock.withLock {
                defer { work.removeAll() }
                return work
            }
            for item in pending { item(connection) }
            while let event = connection.nextEvent() {
                guard case .selectionRequest(let requestor, let selection, let target, let property, let time) = event else { continue }
                let atoms = connection.atoms!
                if target == atoms["TARGETS"] {
                    connection.setProperty(requestor, property, atoms: [atoms["TARGETS"], atoms["UTF8_STRING"]])
                } else if target == atoms["UTF8_STRING"] {
                    connection.setProperty(requestor, property, bytes: text, type: atoms["UTF8_STRING"])
                }
                let answered = target == atoms["TARGETS"] || target == atoms["UTF8_STRING"]
                connection.answerConversion(requestor: requestor, selection: selection, target: target,
                                            property: answered ? property : 0, time: time)
            }
            connection.flush()
            var fd = pollfd(fd: connection.fileDescriptor, events: Int16(POLLIN), revents: 0)
            _ = poll(&fd, 1, 1)  // the benchmark's own loop may spin; the plugins' never do
        }
        connection.close()
        finished.signal()
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
