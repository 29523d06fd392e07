import Testing

@testable import Screen

/// When the screen plugin takes full screen off and on to show a page that
/// Chromium left hidden after a restore; time is passed in, nothing sleeps.
@Suite struct HiddenPageRemedyTests {
    let hidden = PageState(fullScreen: false, visible: false)
    let shown = PageState(fullScreen: false, visible: true)

    /// Full screen, minimised at 5, back at `time`: by someone else straight to full screen; by the
    /// agent shown first (`time`) and made full screen after (`time` + 0.1).
    func restored(byAgent: Bool = false, at time: Double = 10) -> HiddenPageRemedy {
        var remedy = HiddenPageRemedy(settle: 0.5, limit: 3)
        remedy.observe(minimised: false, fullscreen: true, byAgent: false, at: 0)
        remedy.observe(minimised: true, fullscreen: true, byAgent: false, at: 5)
        if byAgent {
            remedy.observe(minimised: false, fullscreen: false, byAgent: true, at: time - 0.1)
            #expect(remedy.deadline == nil, "not yet full screen again: nothing to look at")
        }
        remedy.observe(minimised: false, fullscreen: true, byAgent: byAgent, at: time)
        return remedy
    }

    @Test func aPageStillHiddenAfterTheRestoreIsRefreshedUntilItIsShownAtMostLimitTimes() {
        var remedy = restored()
        #expect(remedy.deadline == 10.5, "a look once the restore has settled")
        let r1 = remedy.due(page: hidden, at: 10.4)
        #expect(!r1, "not before its time")
        let r2 = remedy.due(page: hidden, at: 10.5)
        #expect(r2)
        #expect(remedy.hides(fullscreen: false, at: 10.6), "its own moment out of full screen is not reported")
        #expect(!remedy.hides(fullscreen: true, at: 10.6))
        let r3 = remedy.due(page: hidden, at: 11.0)
        #expect(r3, "still hidden: again")
        let r4 = remedy.due(page: hidden, at: 11.5)
        #expect(r4)
        let r5 = remedy.due(page: hidden, at: 12.0)
        #expect(!r5, "at most three times")
        #expect(remedy.refreshes == 3)
        let ended = remedy.expire(at: 12.0)
        #expect(ended && remedy.deadline == nil, "nothing left pending")
        #expect(!remedy.hides(fullscreen: false, at: 12.1), "a later exit is reported")
    }

    @Test func aShownPageOrThePagesOwnFullScreenIsLeftAlone() {
        var remedy = restored()
        let r6 = remedy.due(page: shown, at: 10.5)
        #expect(!r6)
        #expect(remedy.deadline == nil)
        var own = restored()
        let r7 = own.due(page: PageState(fullScreen: true, visible: false), at: 10.5)
        #expect(!r7, "taking full screen off would end the page's own")
    }

    @Test func withoutAPageReportOnlySomeoneElsesRestoreIsRefreshedOnce() {
        var remedy = restored()
        let r8 = remedy.due(page: nil, at: 10.5)
        #expect(r8)
        #expect(remedy.deadline == 11.0, "only the refresh itself is pending")
        let r9 = remedy.due(page: nil, at: 11.0)
        #expect(!r9)
        var byAgent = restored(byAgent: true)
        #expect(byAgent.deadline == 10.5, "the agent's restore is looked at once it is full screen again")
        let r10 = byAgent.due(page: nil, at: 10.5)
        #expect(!r10, "the agent's own restore shows the window before full screen")
        var checked = restored(byAgent: true)
        let r11 = checked.due(page: hidden, at: 10.5)
        #expect(r11, "but a page that says it is hidden is refreshed after it too")
    }

    @Test func aLateHiddenReportOnAWindowOnScreenGetsALookAndMinimisingCancels() {
        var remedy = restored()
        let r12 = remedy.due(page: shown, at: 10.5)
        #expect(!r12)
        remedy.pageReported(hidden, at: 12)
        #expect(remedy.deadline == 12.5)
        remedy.observe(minimised: true, fullscreen: true, byAgent: false, at: 12.2)
        #expect(remedy.deadline == nil, "minimised: the page is meant to be hidden")
        remedy.pageReported(hidden, at: 12.3)
        #expect(remedy.deadline == nil, "no look while it is minimised")
        var windowed = HiddenPageRemedy(settle: 0.5, limit: 3)
        windowed.observe(minimised: true, fullscreen: false, byAgent: false, at: 0)
        windowed.observe(minimised: false, fullscreen: false, byAgent: false, at: 1)
        #expect(windowed.deadline == nil, "a window that is not full screen is Chromium's to show")
        windowed.observe(minimised: false, fullscreen: true, byAgent: true, at: 2)
        #expect(windowed.deadline == nil, "nor one made full screen after it was shown")
    }
}
