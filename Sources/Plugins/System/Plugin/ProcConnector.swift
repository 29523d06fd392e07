import SystemShim

/// The kernel's netlink proc connector: an event for every exec, exit and
/// fork of a new process, so nothing is scanned. Needs CAP_NET_ADMIN in the
/// initial user namespace (root, or a capability given to the binary);
/// `open` says why not.
final class ProcConnector: @unchecked Sendable {
    enum Event: Equatable {
        case executed(Int32), exited(Int32), forked(child: Int32, parent: Int32), overrun, woken, failed
    }

    private let handle: OpaquePointer
    private var buffer = [system_proc_event_t](repeating: system_proc_event_t(), count: 1024)

    private init(_ handle: OpaquePointer) { self.handle = handle }

    static func open() -> Result<ProcConnector, ConnectorRefused> {
        var why = [CChar](repeating: 0, count: 256)
        guard let handle = system_proc_connector_open(1000, &why, why.count) else {
            return .failure(ConnectorRefused(reason: String(cString: why)))
        }
        return .success(ProcConnector(handle))
    }

    struct ConnectorRefused: Error { var reason: String }

    /// Waits up to `timeoutMs` (-1: without end) for events; empty on timeout.
    func read(timeoutMs: Int32) -> [Event] {
        let count = buffer.withUnsafeMutableBufferPointer {
            system_proc_connector_read(handle, timeoutMs, $0.baseAddress, Int32($0.count))
        }
        return buffer.prefix(Int(max(0, count))).map { event in
            switch event.kind {
            case SYSTEM_PROC_EXEC: .executed(event.pid)
            case SYSTEM_PROC_EXIT: .exited(event.pid)
            case SYSTEM_PROC_FORK: .forked(child: event.pid, parent: event.parent)
            case SYSTEM_PROC_OVERRUN: .overrun
            case SYSTEM_PROC_WOKEN: .woken
            default: .failed
            }
        }
    }

    /// Makes a waiting `read` return `.woken`; from any thread.
    func wake() { system_proc_connector_wake(handle) }

    deinit { system_proc_connector_close(handle) }
}
