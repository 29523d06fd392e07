import X11Shim

/// Why a connection could not be made.
public struct X11ConnectError: Error, Sendable, CustomStringConvertible {
    public let description: String
}

/// One connection to an X server, used by the one thread that opened it (the
/// session thread). A lost server never exits the process: the shim's error
/// handlers return, `isLost` turns true, and the session reconnects.
public final class X11Connection {
    let raw: UnsafeMutablePointer<x11_shim_connection>
    /// The display name it was opened with, eg ":0".
    public let name: String
    public private(set) var atoms: X11Atoms!
    private var closed = false

    private init(raw: UnsafeMutablePointer<x11_shim_connection>, name: String) {
        self.raw = raw
        self.name = name
    }

    public static func open(_ name: String) throws(X11ConnectError) -> X11Connection {
        var message = [CChar](repeating: 0, count: 256)
        guard let raw = x11_shim_open(name, &message, message.count) else {
            throw X11ConnectError(description: String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        let connection = X11Connection(raw: raw, name: name)
        connection.atoms = X11Atoms(display: raw.pointee.display)
        return connection
    }

    var display: OpaquePointer { raw.pointee.display }
    public var root: WindowID { WindowID(raw.pointee.root) }
    /// The socket to wait on for events.
    public var fileDescriptor: Int32 { raw.pointee.fd }
    public var isLost: Bool { raw.pointee.lost != 0 }
    public var hasXFixes: Bool { raw.pointee.has_xfixes != 0 }
    public var hasRandR: Bool { raw.pointee.has_randr != 0 }

    /// True when `a` and `b` were created by the same X client: the server
    /// gives each client its own range of ids.
    public func sameClient(_ a: WindowID, _ b: WindowID) -> Bool {
        let mask = UInt(raw.pointee.resource_mask)
        return !a.isNone && !b.isNone && (a.raw & ~mask) == (b.raw & ~mask)
    }

    /// Sends what Xlib has queued.
    public func flush() { XFlush(display) }

    /// The next event if one is pending; never blocks.
    public func nextEvent() -> X11Event? {
        var event = x11_shim_event()
        guard x11_shim_next_event(raw, &event) == 1 else { return nil }
        return X11Event(event, root: root)
    }

    public func close() {
        guard !closed else { return }
        closed = true
        x11_shim_close(raw)
    }

    deinit { close() }
}
