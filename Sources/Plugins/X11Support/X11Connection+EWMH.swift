#if canImport(Glibc)
import Glibc
#endif
import X11Shim

/// What the window manager and the clients publish about windows (EWMH and
/// ICCCM properties), read on demand.
extension X11Connection {
    /// `_NET_ACTIVE_WINDOW`: the focused client, `.none` when nobody has focus;
    /// nil when the window manager does not publish it.
    public func activeWindow() -> WindowID? {
        longs(root, atoms["_NET_ACTIVE_WINDOW"]).map { WindowID($0.first ?? 0) }
    }

    /// `_NET_CLIENT_LIST`: the managed top-level windows, oldest first.
    public func clientList() -> [WindowID] {
        (longs(root, atoms["_NET_CLIENT_LIST"]) ?? []).map(WindowID.init)
    }

    /// `_NET_CLIENT_LIST_STACKING`: the managed windows bottom to top.
    public func stackingOrder() -> [WindowID] {
        (longs(root, atoms["_NET_CLIENT_LIST_STACKING"]) ?? []).map(WindowID.init)
    }

    /// The `_NET_WM_STATE` flags the plugins look at.
    public func windowState(_ window: WindowID) -> WindowState {
        let flags = Set(longs(window, atoms["_NET_WM_STATE"]) ?? [])
        return WindowState(
            fullscreen: flags.contains(atoms["_NET_WM_STATE_FULLSCREEN"]),
            hidden: flags.contains(atoms["_NET_WM_STATE_HIDDEN"]),
            above: flags.contains(atoms["_NET_WM_STATE_ABOVE"]))
    }

    /// `_NET_WM_PID`, when the client sets it.
    public func processID(_ window: WindowID) -> Int32? {
        guard let pid = longs(window, atoms["_NET_WM_PID"])?.first, pid > 0, pid < UInt(Int32.max) else { return nil }
        return Int32(pid)
    }

    /// `WM_CLASS`: the instance and class names, eg ("chromium", "Chromium").
    public func windowClass(_ window: WindowID) -> (instance: String, class: String)? {
        guard let value = property(window, atoms["WM_CLASS"]), value.format == 8 else { return nil }
        let parts = value.bytes.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        guard let instance = parts.first else { return nil }
        return (instance, parts.count > 1 ? parts[1] : "")
    }

    /// The title: `_NET_WM_NAME`, or `WM_NAME` from clients that predate EWMH.
    public func title(_ window: WindowID) -> String? {
        text(window, atoms["_NET_WM_NAME"]) ?? text(window, atoms["WM_NAME"])
    }

    /// `WM_CLIENT_LEADER`: the window that stands for the client's application.
    public func clientLeader(_ window: WindowID) -> WindowID? {
        longs(window, atoms["WM_CLIENT_LEADER"])?.first.map(WindowID.init).flatMap { $0.isNone ? nil : $0 }
    }

    /// The window manager's check window (`_NET_SUPPORTING_WM_CHECK`) while it
    /// exists, watched so that its destruction (the window manager exiting)
    /// arrives as an event: a window manager that died leaves the property
    /// naming a window that is gone. Nil when there is no window manager.
    public func windowManagerCheck() -> WindowID? {
        guard let id = longs(root, atoms["_NET_SUPPORTING_WM_CHECK"])?.first.map(WindowID.init), !id.isNone,
            geometry(id) != nil
        else { return nil }
        watchWindow(id)
        return id
    }

    /// `WM_TRANSIENT_FOR`: the window a dialog belongs to.
    public func transientFor(_ window: WindowID) -> WindowID? {
        longs(window, atoms["WM_TRANSIENT_FOR"])?.first.map(WindowID.init).flatMap { $0.isNone ? nil : $0 }
    }

    /// True when `WM_CLIENT_MACHINE` names this host (or is absent), so that
    /// `_NET_WM_PID` refers to a process here.
    public func isLocalClient(_ window: WindowID) -> Bool {
        guard let machine = text(window, atoms["WM_CLIENT_MACHINE"]), !machine.isEmpty else { return true }
        var name = [CChar](repeating: 0, count: 256)
        guard gethostname(&name, name.count - 1) == 0 else { return true }
        return machine == name.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// The window's frame around the client, as the window manager reports it.
    public func frameExtents(_ window: WindowID) -> (left: Int, right: Int, top: Int, bottom: Int) {
        guard let e = longs(window, atoms["_NET_FRAME_EXTENTS"]), e.count == 4 else { return (0, 0, 0, 0) }
        // Any client may write this property: keep it within X's 16-bit coordinates.
        let side = { (value: UInt) in Int(min(value, 0x7FFF)) }
        return (side(e[0]), side(e[1]), side(e[2]), side(e[3]))
    }

    /// The client area in root coordinates, and whether it is viewable
    /// (mapped, and its ancestors too); nil when the window is gone.
    public func geometry(_ window: WindowID) -> (rect: Rect, viewable: Bool)? {
        var attributes = XWindowAttributes()
        guard XGetWindowAttributes(display, Window(window.raw), &attributes) != 0 else { return nil }
        var x: Int32 = 0, y: Int32 = 0
        var child: Window = 0
        guard XTranslateCoordinates(display, Window(window.raw), Window(root.raw), 0, 0, &x, &y, &child) != 0 else {
            return nil
        }
        let rect = Rect(x: Int(x), y: Int(y), width: Int(attributes.width), height: Int(attributes.height))
        return (rect, attributes.map_state == IsViewable)
    }

    /// The client area plus its frame, what covers the windows below it.
    public func outerGeometry(_ window: WindowID) -> Rect? {
        guard let inner = geometry(window), inner.viewable else { return nil }
        let frame = frameExtents(window)
        return Rect(x: inner.rect.x - frame.left, y: inner.rect.y - frame.top,
                    width: inner.rect.width + frame.left + frame.right,
                    height: inner.rect.height + frame.top + frame.bottom)
    }
}

/// The `_NET_WM_STATE` flags that matter to the plugins.
public struct WindowState: Equatable, Sendable {
    public var fullscreen: Bool
    /// Minimised (iconified), or otherwise not shown.
    public var hidden: Bool
    /// Kept above other windows.
    public var above: Bool

    public init(fullscreen: Bool = false, hidden: Bool = false, above: Bool = false) {
        self.fullscreen = fullscreen
        self.hidden = hidden
        self.above = above
    }
}
