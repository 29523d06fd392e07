import X11Shim

/// Which process is behind an X client, asked of the server (X-Resource):
/// for clients whose windows do not say (no `_NET_WM_PID`), eg xclip.
extension X11Connection {
    /// The server has X-Resource 1.2 (Xorg and Xvfb do).
    public var hasXRes: Bool { raw.pointee.has_xres != 0 }

    /// The process ids the server gives are this machine's: it named this
    /// process for this connection (not so over TCP, from another machine or
    /// from a container with its own pid namespace).
    public var clientProcessIDsAreLocal: Bool { raw.pointee.xres_pids_are_local != 0 }

    /// The process of the client that created `window`, as the server knows
    /// it from the client's socket; nil when unknown or not a process here.
    public func clientProcessID(_ window: WindowID) -> Int32? {
        guard clientProcessIDsAreLocal, !window.isNone else { return nil }
        let pid = x11_shim_client_pid(raw, XID(window.raw))
        return pid > 0 ? pid : nil
    }
}
