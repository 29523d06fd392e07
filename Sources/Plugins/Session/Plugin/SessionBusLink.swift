#if canImport(Glibc)
import Glibc
#endif
import SessionBus

/// One bus as the session plugin's C shim sees it: a private connection with
/// its own thread, kept up across restarts of the bus, handing every finding
/// to `handle` on that thread (see session_bus.h).
final class SessionBusLink: @unchecked Sendable {
    private let bus: OpaquePointer
    private let handle: (UnsafePointer<session_bus_event_t>) -> Void

    init(system: Bool, address: String, reconnectMaxMs: Int, handle: @escaping (UnsafePointer<session_bus_event_t>) -> Void) throws {
        self.handle = handle
        // The context pointer is filled in below: the callback cannot capture.
        guard let made = session_bus_new(system ? 1 : 0, address, UInt32(reconnectMaxMs), { event, context in
            Unmanaged<SessionBusLink>.fromOpaque(context!).takeUnretainedValue().handle(event!)
        }, nil) else { throw SessionBusError("could not make a D-Bus link (out of memory or eventfd refused)") }
        bus = made
        session_bus_set_context(bus, Unmanaged.passUnretained(self).toOpaque())
    }

    func start() throws {
        guard session_bus_start(bus) == 0 else { throw SessionBusError("the D-Bus link's thread did not start") }
    }

    /// Returns once the link's thread has ended: no handler runs after it.
    /// session_bus_stop itself knows whether the thread runs.
    func stop() { session_bus_stop(bus) }

    struct Notification {
        var summary: String
        var body: String
        var icon: String
        /// Key and label of each action.
        var actions: [(String, String)]
        var urgency: UInt8
        var expireMs: Int32
    }

    /// Shows `notification` through org.freedesktop.Notifications; the server's id.
    func notify(_ notification: Notification) throws -> UInt32 {
        // Key, label, key, label, ... and a NULL after them, so the list is never empty.
        let strings: [String] = notification.actions.flatMap { [$0.0, $0.1] }
        let pointers: [UnsafePointer<CChar>?] = strings.map { text -> UnsafePointer<CChar>? in UnsafePointer(strdup(text)) } + [nil]
        defer { pointers.forEach { free(UnsafeMutablePointer(mutating: $0)) } }
        var id: UInt32 = 0
        var error = [CChar](repeating: 0, count: 512)
        let errorSize = error.count
        let result = SessionSettings.appName.withCString { app in
            notification.icon.withCString { icon in
                notification.summary.withCString { summary in
                    notification.body.withCString { body in
                        pointers.withUnsafeBufferPointer { list in
                            var request = session_bus_notification_t(
                                app_name: app, icon: icon, summary: summary, body: body,
                                actions: notification.actions.isEmpty ? nil : list.baseAddress, action_count: notification.actions.count,
                                urgency: notification.urgency, expire_timeout_ms: notification.expireMs)
                            return session_bus_notify(bus, &request, &id, &error, errorSize)
                        }
                    }
                }
            }
        }
        guard result == 0 else { throw SessionBusError(String(cString: error)) }
        return id
    }

    deinit { session_bus_free(bus) }  // stops the thread first
}

struct SessionBusError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension session_bus_event_t {
    /// A C string field as a Swift string; nil for NULL.
    static func string(_ pointer: UnsafePointer<CChar>?) -> String? { pointer.map { String(cString: $0) } }
}
