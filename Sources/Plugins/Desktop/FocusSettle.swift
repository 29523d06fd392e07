import X11Support

/// Holds back a moment of "no window has focus" so that one event says where
/// focus went. openbox clears `_NET_ACTIVE_WINDOW` before naming the next
/// window, a few milliseconds later; only an empty focus that outlasts
/// `delay` is real. Pure: the watcher passes the time in and asks for
/// `deadline` to be kept.
struct FocusSettle {
    /// Focus to report: on `window` since `at`, having left the window before
    /// it at `left` (earlier than `at` when focus passed through no window).
    struct Move: Equatable {
        var window: WindowID
        var at: Double
        var left: Double
    }

    /// Seconds an empty focus must last to be reported; 0 reports it at once.
    let delay: Double
    /// When focus went to no window, while that is held back.
    private(set) var emptySince: Double?

    init(delay: Double) { self.delay = delay }

    /// When `deadlineReached` is due.
    var deadline: Double? { emptySince.map { $0 + delay } }

    /// `_NET_ACTIVE_WINDOW` now names `window` (`.none` for no window).
    /// Returns the move to report now, nil while an empty focus is held back.
    mutating func observe(_ window: WindowID, now: Double) -> Move? {
        if window.isNone {
            guard delay > 0 else { return Move(window: window, at: now, left: now) }
            // A second "none" while one is held changes nothing: focus left at the first.
            if emptySince == nil { emptySince = now }
            return nil
        }
        let left = emptySince ?? now
        emptySince = nil
        return Move(window: window, at: now, left: left)
    }

    /// The empty focus lasted: report it as of when it began.
    mutating func deadlineReached(now: Double) -> Move? {
        guard let since = emptySince, since + delay <= now else { return nil }
        emptySince = nil
        return Move(window: .none, at: since, left: since)
    }

    /// The connection went away: nothing is held.
    mutating func reset() { emptySince = nil }
}
