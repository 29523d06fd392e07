/// What the plugin tells its watcher, on X11 or Wayland alike; it posts
/// these onto the session's thread.
protocol ScreenDisplayWatcher: AnyObject, Sendable {
    /// The page said whether it holds the browser's own full screen and whether it is shown.
    func pageReported(_ state: PageState, now: Double)
    /// Turns enforcement on or off (the page's share state, with `while_sharing`).
    func setEnforcement(_ on: Bool, now: Double)
}
