import X11Support

/// What the screen plugin sees of the call page's window at one moment.
struct WindowPosture: Equatable {
    var state: WindowState
    /// False when the window is unmapped (minimised by a window manager that
    /// does not set `_NET_WM_STATE_HIDDEN`).
    var viewable: Bool
    var rect: Rect
    /// The monitor that shows most of the window.
    var monitor: Monitor?
    /// The share of the window other windows cover, and who they are.
    var coveredFraction: Double
    var coveredBy: [WindowID]

    /// The window fills its monitor, edge to edge within `tolerance` pixels.
    func fillsMonitor(tolerance: Int) -> Bool {
        guard let monitor else { return false }
        return rect.matches(monitor.rect, tolerance: tolerance)
    }

    /// Full screen as a person sees it: marked, shown and filling its monitor.
    func isFullscreen(tolerance: Int) -> Bool {
        state.fullscreen && !state.hidden && viewable && fillsMonitor(tolerance: tolerance)
    }

    /// The most important way the window is off, or nil when it is kept.
    func violation(tolerance: Int, coverThreshold: Double) -> Violation? {
        if state.hidden || !viewable { return .minimised }
        if !state.fullscreen { return .exitedFullscreen }
        if !fillsMonitor(tolerance: tolerance) { return .resized }
        if isCovered(threshold: coverThreshold) { return .covered }
        return nil
    }

    func isCovered(threshold: Double) -> Bool {
        !state.hidden && viewable && !coveredBy.isEmpty && coveredFraction > threshold
    }
}
