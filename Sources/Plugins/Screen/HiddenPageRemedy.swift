/// Chromium on X11 leaves its page hidden (`document.visibilityState`
/// "hidden": a blank grey window that takes no clicks) when a window the
/// window manager holds full screen comes back from being minimised, often
/// but not always. Taking full screen off and putting it back shows the page
/// again. This decides when to do that, as a pure state machine (time is
/// passed in):
///
/// - `settle` after a window minimised while full screen is back on screen
///   and full screen, when the page says it is still hidden, and again every
///   `settle` while it does, at most `limit` times per return;
/// - once, blindly, when the page has never said anything (a call page
///   without proctor-client.js), unless the agent restored the window itself:
///   its restore takes full screen off before showing the window, which
///   Chromium handles;
/// - never while the page holds the browser's own full screen, which stays
///   shown and which taking full screen off would end.
struct HiddenPageRemedy {
    let settle: Double
    let limit: Int
    /// When to look again, nil when nothing is pending.
    private(set) var checkAt: Double?
    /// Until then, the window's moment out of full screen is the remedy's doing.
    private(set) var refreshingUntil: Double?
    private var minimised = false
    /// Minimised while full screen: its return is where Chromium can lose its page.
    private var minimisedFullscreen = false
    /// Back from such a minimise, not yet full screen again (the agent's own
    /// restore shows the window first and makes it full screen after).
    private var returning = false
    private var shownFullscreen = false
    private var restoredByAgent = false
    private var tries = 0
    /// Full screen taken off and on so far, for the plugin's status.
    private(set) var refreshes = 0

    init(settle: Double = 0.5, limit: Int = 3) {
        self.settle = settle
        self.limit = limit
    }

    /// The window was measured: minimised (or otherwise unmapped, as on
    /// another workspace), or shown and full screen at the window manager's
    /// level or not. `byAgent`: the agent's own re-assertion is under way.
    mutating func observe(minimised now: Bool, fullscreen: Bool, byAgent: Bool, at time: Double) {
        if now {
            if !minimised { minimisedFullscreen = fullscreen }
            (minimised, returning, shownFullscreen, checkAt, tries) = (true, false, false, nil, 0)
            return
        }
        shownFullscreen = fullscreen
        if minimised {
            (minimised, returning, restoredByAgent) = (false, minimisedFullscreen, byAgent)
        }
        if returning && fullscreen {
            returning = false
            checkAt = time + settle
        }
    }

    /// The page reported; a hidden page on a window that is on screen gets a look soon.
    mutating func pageReported(_ page: PageState, at time: Double) {
        if !page.visible && !page.fullScreen && shownFullscreen && checkAt == nil && tries < limit {
            checkAt = time + settle
        }
    }

    /// `checkAt` has passed: true when full screen should be taken off and put back now.
    mutating func due(page: PageState?, at time: Double) -> Bool {
        guard let at = checkAt, time >= at else { return false }
        checkAt = nil
        guard shownFullscreen, page?.fullScreen != true, tries < limit else { return false }
        switch page {
        case nil where restoredByAgent:
            return false
        case nil:
            tries = limit  // blind: once
        case let page? where page.visible:
            return false
        case _?:
            tries += 1
            checkAt = time + settle  // look again: the page should say it is shown by then
        }
        refreshingUntil = time + settle
        refreshes += 1
        return true
    }

    /// Whether to leave a posture out of the report: the remedy's own moment
    /// out of full screen. A real exit in that half second is reported when it ends.
    func hides(fullscreen: Bool, at time: Double) -> Bool {
        guard let until = refreshingUntil, time < until else { return false }
        return !fullscreen
    }

    /// Ends a refresh whose time is up; true when one ended (what it left is to be reported now).
    mutating func expire(at time: Double) -> Bool {
        guard let until = refreshingUntil, time >= until else { return false }
        refreshingUntil = nil
        return true
    }

    var deadline: Double? {
        [checkAt, refreshingUntil].compactMap { $0 }.min()
    }

    /// The window is gone: nothing of it is pending (the count stays).
    mutating func reset() {
        self = HiddenPageRemedy(settle: settle, limit: limit, refreshes: refreshes)
    }

    private init(settle: Double, limit: Int, refreshes: Int) {
        self.init(settle: settle, limit: limit)
        self.refreshes = refreshes
    }
}
