import Testing
import X11Support

@testable import Desktop

/// Focus passing through "no window" on its way to the next window (openbox
/// clears `_NET_ACTIVE_WINDOW` first) is one move, and the time away from the
/// call page still starts when the call page lost focus. The delay is a
/// binary fraction so that deadlines compare exactly.
@Suite struct FocusSettleTests {
    let page = WindowID(1), notes = WindowID(2)

    @Test func passingThroughNoWindowIsOneMove() {
        var settle = FocusSettle(delay: 0.25)
        #expect(settle.observe(page, now: 0) == .init(window: page, at: 0, left: 0))
        #expect(settle.observe(.none, now: 1) == nil, "held back")
        #expect(settle.deadline == 1.25)
        #expect(settle.observe(notes, now: 1.011) == .init(window: notes, at: 1.011, left: 1), "left when focus went to no window")
        #expect(settle.deadline == nil)
        #expect(settle.deadlineReached(now: 2) == nil, "nothing held, nothing to report")
    }

    @Test func noWindowThatLastsIsReportedAsOfWhenItBegan() {
        var settle = FocusSettle(delay: 0.25)
        #expect(settle.observe(.none, now: 2) == nil)
        #expect(settle.observe(.none, now: 2.02) == nil, "a second none keeps the first one's time")
        #expect(settle.deadline == 2.25)
        #expect(settle.deadlineReached(now: 2.24) == nil, "not yet")
        #expect(settle.deadlineReached(now: 2.25) == .init(window: .none, at: 2, left: 2))
        #expect(settle.deadline == nil)
        #expect(settle.observe(notes, now: 3) == .init(window: notes, at: 3, left: 3), "a later window is a move of its own")
    }

    @Test func noDelayReportsEveryStep() {
        var settle = FocusSettle(delay: 0)
        #expect(settle.observe(.none, now: 1) == .init(window: .none, at: 1, left: 1))
        #expect(settle.deadline == nil)
    }

    @Test func resetForgetsWhatWasHeld() {
        var settle = FocusSettle(delay: 0.25)
        _ = settle.observe(.none, now: 1)
        settle.reset()
        #expect(settle.deadline == nil && settle.deadlineReached(now: 5) == nil)
    }

    /// The settle in front of the tracker, as the watcher wires them.
    struct Focus {
        var settle = FocusSettle(delay: 0.25)
        var tracker = FocusTracker()
        let callPage: WindowID

        mutating func observe(_ window: WindowID, now: Double) -> FocusTracker.Change? {
            guard let move = settle.observe(window, now: now) else { return nil }
            return report(move)
        }

        mutating func deadlineReached(now: Double) -> FocusTracker.Change? {
            guard let move = settle.deadlineReached(now: now) else { return nil }
            return report(move)
        }

        private mutating func report(_ move: FocusSettle.Move) -> FocusTracker.Change? {
            tracker.focus(move.window, isCallPage: move.window == callPage, now: move.at, left: move.left)
        }
    }

    @Test func timeAwayStartsWhenTheCallPageLostFocus() {
        var focus = Focus(callPage: page)
        #expect(focus.observe(page, now: 0)?.isCallPage == true)
        // page → none → notes: one change, naming notes, that leaves the call page.
        #expect(focus.observe(.none, now: 10) == nil)
        #expect(focus.observe(notes, now: 10.011) == .init(window: notes, isCallPage: false, away: nil, leftCallPage: true))
        #expect(focus.tracker.awaySince == 10)
        // notes → none → page: one change, back on the call page, away since it lost focus.
        #expect(focus.observe(.none, now: 13) == nil)
        #expect(focus.observe(page, now: 13.5) == .init(window: page, isCallPage: true, away: 3.5, leftCallPage: false))
    }

    @Test func aBlinkThroughNoWindowIsNoChange() {
        var focus = Focus(callPage: page)
        _ = focus.observe(page, now: 0)
        #expect(focus.observe(.none, now: 1) == nil)
        #expect(focus.observe(page, now: 1.003) == nil, "focus came back to where it was")
        #expect(focus.tracker.awaySince == nil)
    }

    @Test func focusStayingOnNoWindowLeavesTheCallPageWhenItBegan() {
        var focus = Focus(callPage: page)
        _ = focus.observe(page, now: 0)
        #expect(focus.observe(.none, now: 4) == nil)
        #expect(focus.deadlineReached(now: 4.25) == .init(window: .none, isCallPage: false, away: nil, leftCallPage: true))
        #expect(focus.tracker.awaySince == 4)
        #expect(focus.observe(notes, now: 6)?.leftCallPage == false, "already away")
        #expect(focus.observe(page, now: 9)?.away == 5)
    }
}
