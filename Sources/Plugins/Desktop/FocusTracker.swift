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

    /// Focus is now on `window`; nil when it did not move.
    mutating func focus(_ window: WindowID, isCallPage: Bool, now: Double) -> Change? {
        guard window != current else {
            reclassify(isCallPage: isCallPage, now: now)
            return nil
        }
        current = window
        var change = Change(window: window, isCallPage: isCallPage, away: nil, leftCallPage: false)
        if isCallPage {
            change.away = awaySince.map { now - $0 }
            awaySince = nil
        } else if onCallPage {
            awaySince = now
            change.leftCallPage = true
        }
        onCallPage = isCallPage
        return change
    }

    /// The focused window turned out to be (or stopped being) the call page,
    /// eg when the page put the marker into its title: no focus change.
    mutating func reclassify(isCallPage: Bool, now: Double) {
        guard isCallPage != onCallPage else { return }
        onCallPage = isCallPage
        awaySince = isCallPage ? nil : now
    }

    /// The connection went away: what focus does meanwhile is unknown.
    mutating func reset() {
        self = FocusTracker()
    }
}
