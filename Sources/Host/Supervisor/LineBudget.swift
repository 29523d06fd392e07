/// At most `perSecond` log lines in each one-second window; the lines held
/// back are counted, to be reported when the window turns, so a chatty
/// plugin cannot flood the journal (which would then drop the agent's own
/// lines under its rate limit).
struct LineBudget {
    let perSecond: Int
    private var windowStart: UInt64?
    private var used = 0
    /// Lines held back in the current window.
    private(set) var suppressed = 0

    init(perSecond: Int) { self.perSecond = perSecond }

    /// Whether one more line may be logged at `now` (milliseconds), and how
    /// many were held back in the window that just ended (to say first).
    mutating func admit(now: UInt64) -> (allowed: Bool, heldBackBefore: Int) {
        var ended = 0
        if windowStart.map({ now - $0 >= 1000 }) ?? true {
            ended = suppressed
            windowStart = now
            used = 0
            suppressed = 0
        }
        used += 1
        guard used <= perSecond else {
            suppressed += 1
            return (false, ended)
        }
        return (true, ended)
    }
}
