/// How the call page's window is not the way the interview needs it.
public enum Violation: String, Equatable, Sendable {
    /// Minimised (`_NET_WM_STATE_HIDDEN`) or otherwise not viewable.
    case minimised
    /// `_NET_WM_STATE_FULLSCREEN` is off.
    case exitedFullscreen = "exited_fullscreen"
    /// Marked full screen, but not filling the monitor it is on.
    case resized
    /// Other windows lie above part of it.
    case covered
}
