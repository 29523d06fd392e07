/// Which display server a plugin watches, chosen once at start: the one seam
/// between the X11 and the Wayland side of the screen and desktop plugins.
/// Events and topics are the same on both; only what can be seen differs.
public enum DisplayServer: String, Sendable {
    case x11
    case wayland

    /// `configured` is the "display_server" setting ("auto", "x11", "wayland").
    /// With "auto": a configured Wayland socket wins, then a configured X
    /// display, then $WAYLAND_DISPLAY (a Wayland session), else X11.
    public static func choose(configured: String, x11Display: String, waylandDisplay: String, environment: [String: String]) -> DisplayServer {
        switch configured {
        case "x11": return .x11
        case "wayland": return .wayland
        default:
            if !waylandDisplay.isEmpty { return .wayland }
            if !x11Display.isEmpty { return .x11 }
            if let socket = environment["WAYLAND_DISPLAY"], !socket.isEmpty { return .wayland }
            return .x11
        }
    }
}

/// A plugin's running connection to its display server, whichever it is:
/// work posted to it runs on its thread, with the time.
public protocol DisplaySession: AnyObject, Sendable {
    /// [any-thread] Runs `work` on the session's thread between two events.
    func post(_ work: @escaping @Sendable (Double) -> Void)
    /// [control-thread] Stops the session and joins its thread.
    func stop()
}

extension X11SessionThread: DisplaySession {
    public func post(_ work: @escaping @Sendable (Double) -> Void) { session.post(work) }
}
