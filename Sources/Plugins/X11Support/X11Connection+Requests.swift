import X11Shim

/// Requests to the window manager, sent the way a pager or taskbar sends them
/// (EWMH source indication 2), so the window manager honours them.
extension X11Connection {
    private static let sourcePager = 2

    /// `_NET_ACTIVE_WINDOW`: de-iconify, raise and focus `window`.
    public func requestActivation(_ window: WindowID) {
        _ = x11_shim_send_root_message(raw, Window(window.raw), Atom(atoms["_NET_ACTIVE_WINDOW"]), Self.sourcePager, 0, 0, 0, 0)
    }

    /// `_NET_WM_STATE` add/remove `_NET_WM_STATE_FULLSCREEN`.
    public func requestFullscreen(_ window: WindowID, _ on: Bool) {
        _ = x11_shim_send_root_message(raw, Window(window.raw), Atom(atoms["_NET_WM_STATE"]), on ? 1 : 0,
                                       Int(atoms["_NET_WM_STATE_FULLSCREEN"]), 0, Self.sourcePager, 0)
    }

    /// `_NET_RESTACK_WINDOW` to the top, and a plain raise for servers without
    /// a window manager.
    public func requestRaise(_ window: WindowID) {
        _ = x11_shim_send_root_message(raw, Window(window.raw), Atom(atoms["_NET_RESTACK_WINDOW"]), Self.sourcePager, 0, Int(Above), 0, 0)
        XRaiseWindow(display, Window(window.raw))
    }
}
