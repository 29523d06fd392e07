import X11Support

/// Follows `_NET_ACTIVE_WINDOW` and measures how long focus stays away from
/// the call page: from the moment it leaves the call page until it returns.
struct FocusTracker {
    struct Change: Equatable {
        var window: WindowID
        var isCallPage: Bool
        /// Set when focus returns to the call page: how long it was away, in seconds.
        var away: Double?
        /// Focus just left the call page.
        var leftCallPage: Bool
    }

    private(set) var current: WindowID?
    private(set) var onCallPage = false
    private(set) var awaySince: Double?

    /// Focus is now on `window`; nil when nothing changed. `left` is when the
    /// window before lost focus, earlier than `now` when focus passed through
    /// no window on the way (see `FocusSettle`): time away starts there.
    mutating func focus(_ window: WindowID, isCallPage: Bool, now: Double, left: Double? = nil) -> Change? {
        guard window != current else { return reclassify(isCallPage: isCallPage, now: now) }
        current = window
        var change = Change(window: window, isCallPage: isCallPage, away: nil, leftCallPage: false)
        if isCallPage {
            change.away = awaySince.map { now - $0 }
            awaySince = nil
        } else if onCallPage {
            awaySince = left ?? now
            change.leftCallPage = true
        }
        onCallPage = isCallPage
        return change
    }

    /// The focused window became (or stopped being) the call page without
    /// focus moving. Becoming it (the page putting the marker into its title
    /// once it pairs, or a tab of the call page coming back) is focus arriving
    /// on the call page: whoever read the last focus event must learn it, and
    /// the time away is reported when focus had left the call page before
    /// (nil when it never was on it). Losing the marker (the person switched
    /// to another tab) is leaving the call page.
    mutating func reclassify(isCallPage: Bool, now: Double) -> Change? {
        guard isCallPage != onCallPage, let window = current else { return nil }
        onCallPage = isCallPage
        if isCallPage {
            let away = awaySince.map { now - $0 }
            awaySince = nil
            return Change(window: window, isCallPage: true, away: away, leftCallPage: false)
        }
        awaySince = now
        return Change(window: window, isCallPage: false, away: nil, leftCallPage: true)
    }

    /// The connection went away: what focus does meanwhile is unknown.
    mutating func reset() {
        self = FocusTracker()
    }
}
