#if canImport(Glibc)
import Glibc
#endif
import WaylandShim
import X11Support

/// The protocols the plugins need, and which the compositor left out.
public struct MissingProtocols: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let foreignToplevel = MissingProtocols(rawValue: WAYLAND_SHIM_MISSING_FOREIGN_TOPLEVEL.rawValue)
    public static let dataControl = MissingProtocols(rawValue: WAYLAND_SHIM_MISSING_DATA_CONTROL.rawValue)
    public static let xdgOutput = MissingProtocols(rawValue: WAYLAND_SHIM_MISSING_XDG_OUTPUT.rawValue)
    public static let seat = MissingProtocols(rawValue: WAYLAND_SHIM_MISSING_SEAT.rawValue)
    /// Foreign-toplevel version 1: windows are seen but cannot be made full screen.
    public static let foreignToplevelWithoutFullscreen = MissingProtocols(rawValue: WAYLAND_SHIM_OLD_FOREIGN_TOPLEVEL.rawValue)
    /// Data-control version 1: the primary selection is not seen.
    public static let dataControlWithoutPrimary = MissingProtocols(rawValue: WAYLAND_SHIM_OLD_DATA_CONTROL.rawValue)
}

public struct WaylandConnectError: Error, CustomStringConvertible {
    public let description: String
}

/// One connection to a Wayland compositor, used on the session's thread only.
public final class WaylandConnection {
    private let shim: OpaquePointer
    /// The socket, for messages ("wayland-1", or a path): see `shownName`.
    public let name: String
    public private(set) var isLost = false
    /// The last flush left requests waiting for room in the socket: poll for
    /// POLLOUT as well, or they wait for the compositor's next event.
    public private(set) var flushPending = false

    private init(shim: OpaquePointer, name: String) {
        self.shim = shim
        self.name = name
    }

    /// Connects and reads the globals and what they describe now; the
    /// current windows, outputs and selections wait as events. Window ids
    /// start after `lastWindow` (an earlier connection's `lastWindow`), so a
    /// reconnect never gives a window the id of one seen before.
    public static func open(_ display: String?, windowsAfter lastWindow: UInt32 = 0) throws(WaylandConnectError) -> WaylandConnection {
        var error = [CChar](repeating: 0, count: 512)
        let size = Int32(error.count)
        let opened = if let display { wayland_shim_connect(display, lastWindow, &error, size) } else { wayland_shim_connect(nil, lastWindow, &error, size) }
        guard let shim = opened else {
            throw WaylandConnectError(description: String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return WaylandConnection(shim: shim, name: shownName(display))
    }

    /// The socket libwayland connects to for `display`, as messages name it: the one
    /// configured, else $WAYLAND_DISPLAY, else libwayland's default "wayland-0".
    public static func shownName(_ display: String?, waylandDisplay: String? = getenv("WAYLAND_DISPLAY").map { String(cString: $0) }) -> String {
        display ?? waylandDisplay.flatMap { $0.isEmpty ? nil : $0 } ?? "wayland-0"
    }

    /// The last window id given out on this connection.
    public var lastWindow: UInt32 { wayland_shim_last_toplevel(shim) }

    public var missing: MissingProtocols { MissingProtocols(rawValue: wayland_shim_missing(shim)) }

    /// The version of `interface` the compositor offers, 0 when none.
    public func version(of interface: String) -> UInt32 { wayland_shim_global_version(shim, interface) }

    public var fileDescriptor: Int32 { wayland_shim_fd(shim) }

    /// Dispatches what is queued and flushes; false when the connection is lost.
    public func prepare() -> Bool {
        noteFlush(wayland_shim_prepare(shim))
        return !isLost
    }

    /// Reads (when `readable`) and dispatches after poll(2).
    public func dispatch(readable: Bool) {
        if wayland_shim_dispatch(shim, readable ? 1 : 0) != 0 { isLost = true }
    }

    public var lostReason: String { String(cString: wayland_shim_error(shim)) }

    public func nextEvent() -> WaylandEvent? {
        var raw = wayland_shim_event()
        while wayland_shim_next_event(shim, &raw) != 0 {
            defer { wayland_shim_event_release(&raw) }
            if let event = WaylandEvent(raw) { return event }
        }
        return nil
    }

    /// Asks the compositor to focus the window; false when it cannot be asked.
    @discardableResult
    public func activate(_ window: WindowID) -> Bool { wayland_shim_activate(shim, UInt32(window.raw)) == 0 }

    @discardableResult
    public func setFullscreen(_ window: WindowID, _ on: Bool) -> Bool {
        wayland_shim_set_fullscreen(shim, UInt32(window.raw), on ? 1 : 0) == 0
    }

    /// A pipe the owner of `selection` writes `mimeType` into, nil without an offer.
    public func receive(_ selection: String, mimeType: String) -> Int32? {
        let fd = wayland_shim_receive(shim, selection == "primary" ? 1 : 0, mimeType)
        return fd < 0 ? nil : fd
    }

    public func flush() { noteFlush(wayland_shim_flush(shim)) }

    /// A shim result: 0 all sent, 1 some requests wait, -1 lost.
    private func noteFlush(_ result: Int32) {
        if result < 0 { isLost = true } else { flushPending = result == 1 }
    }

    public func close() { wayland_shim_disconnect(shim) }
}
