import ProctorJSON
import WaylandSupport
import X11Support

/// The screen plugin on a wlroots compositor, on the session's thread:
/// follows the call page's toplevel (wlr-foreign-toplevel-management),
/// reports its full-screen state, feeds the same enforcer as on X11 and
/// carries out its re-assertions with `set_fullscreen` and `activate`;
/// reports the outputs (wl_output, xdg-output) as monitors.
///
/// Wayland tells no window geometry and no stacking order: a toplevel the
/// compositor marks full screen counts as filling the output it is on, and
/// "covered" is never reported.
/// `@unchecked Sendable`: once started it is used on the session's thread only.
final class WaylandScreenWatcher: WaylandWatcher, ScreenDisplayWatcher, @unchecked Sendable {
    private let settings: ScreenSettings
    private let matcher: CallPageMatcher
    private let emit: @Sendable (OutgoingEvent) -> Void
    private let status: ScreenStatus
    private var connection: WaylandConnection?
    private var toplevels: [WindowID: Toplevel] = [:]
    private var order: [WindowID] = []
    private var outputs = WaylandOutputs()
    private var enforcer: FullscreenEnforcer
    private var report: FullscreenReport
    private var attachments = 0
    private var page: PageState?
    private(set) var problems: [String] = []
    /// The compositor said it stops telling about windows.
    private var toplevelsFinished = false

    init(settings: ScreenSettings, matcher: CallPageMatcher, status: ScreenStatus, emit: @escaping @Sendable (OutgoingEvent) -> Void) {
        self.settings = settings
        self.matcher = matcher
        self.emit = emit
        self.status = status
        enforcer = FullscreenEnforcer(policy: settings.policy, enabled: settings.enforcement == .always)
        report = FullscreenReport(tolerance: settings.tolerance, coverThreshold: settings.coverThreshold)
    }

    func attach(_ connection: WaylandConnection, now: Double) {
        self.connection = connection
        attachments += 1
        toplevelsFinished = false
        // What the compositor has now is queued: take it in before reporting.
        while let event = connection.nextEvent() { _ = apply(event) }
        emitMonitors(reason: attachments == 1 ? "start" : "reconnect")
        checkProblems()
        evaluate(now: now)
        updateStatus()
    }

    func detach(now: Double, lost: Bool) {
        report.lost(reason: lost ? "display_lost" : "stopped", now: now).forEach(emit)
        _ = enforcer.handle(.windowLost, now: now)
        toplevels = [:]
        order = []
        outputs = WaylandOutputs()
        connection = nil
        status.set(ScreenStatus.Snapshot(enforcing: enforcer.enabled))
    }

    func handle(_ event: WaylandEvent, now: Double) {
        let changed = apply(event)
        if changed == .monitors { emitMonitors(reason: "change") }
        if case .toplevelsFinished = event { checkProblems() }
        // The call page's posture depends on the windows and the outputs only.
        if changed != .nothing { evaluate(now: now) }
    }

    /// What an event changed of what the watcher follows.
    private enum Change { case nothing, windows, monitors }

    private func apply(_ event: WaylandEvent) -> Change {
        switch event {
        case .toplevel(let toplevel):
            if toplevels[toplevel.id] == nil { order.append(toplevel.id) }
            toplevels[toplevel.id] = toplevel
            return .windows
        case .toplevelClosed(let id):
            toplevels[id] = nil
            order.removeAll { $0 == id }
            return .windows
        case .toplevelsFinished:
            toplevelsFinished = true
            toplevels = [:]
            order = []
            return .windows
        case .output(let id, let monitor):
            return outputs.update(id, monitor) ? .monitors : .nothing
        case .outputRemoved(let id):
            return outputs.remove(id) ? .monitors : .nothing
        case .selection, .dataControlFinished:
            return .nothing
        }
    }

    var nextDeadline: Double? { enforcer.deadline }

    func deadlineReached(now: Double) {
        perform(enforcer.handle(.deadlineReached, now: now))
        updateStatus()
    }

    func pageReported(_ state: PageState, now: Double) {
        page = state
        evaluate(now: now)
    }

    func setEnforcement(_ on: Bool, now: Double) {
        guard on != enforcer.enabled else { return }
        _ = enforcer.handle(.enabled(on), now: now)
        evaluate(now: now)
    }

    // MARK: - The call page's window

    private func isCallPage(_ toplevel: Toplevel) -> Bool { matcher.matches(toplevel.app, title: toplevel.title) }

    private func evaluate(now: Double) {
        guard connection != nil else { return }
        let pages = order.compactMap { toplevels[$0] }.filter(isCallPage)
        let target = pages.first { $0.id == report.window } ?? pages.last
        if let tracked = report.window, tracked != target?.id {
            report.lost(reason: toplevels[tracked] == nil ? "closed" : "unmarked", now: now).forEach(emit)
            _ = enforcer.handle(.windowLost, now: now)
        }
        guard let target else {
            updateStatus()
            return
        }
        let posture = posture(of: target)
        report.observe(target.id, posture, byAgent: enforcer.isReasserting, coveredBy: [],
                       pageFullScreen: page?.fullScreen == true, now: now).forEach(emit)
        let violation = posture.violation(tolerance: settings.tolerance, coverThreshold: settings.coverThreshold)
        perform(enforcer.handle(.observed(violation), now: now))
        updateStatus(violation: violation)
    }

    /// The compositor's word stands for the geometry it does not give: a full-screen
    /// toplevel fills its output (or the only one, when it named none).
    private func posture(of toplevel: Toplevel) -> WindowPosture {
        let monitor = outputs.monitor(toplevel.output) ?? (outputs.monitors.count == 1 ? outputs.monitors.first : nil)
        let rect = toplevel.fullscreen ? (monitor?.rect ?? Rect(x: 0, y: 0, width: 1, height: 1)) : Rect(x: 0, y: 0, width: 0, height: 0)
        return WindowPosture(
            state: WindowState(fullscreen: toplevel.fullscreen, hidden: toplevel.minimized), viewable: !toplevel.minimized,
            rect: rect, monitor: monitor ?? Monitor(name: "unknown", rect: rect, primary: false),
            coveredFraction: 0, coveredBy: [])
    }

    private func perform(_ actions: [FullscreenEnforcer.Action]) {
        for action in actions {
            if case .reassert = action { reassert() }
            if let event = ReactivationEvent.make(action, attemptsInWindow: enforcer.attempts.count) { emit(event) }
        }
    }

    /// Asks the compositor to focus the window and make it full screen again.
    private func reassert() {
        guard let connection, let window = report.window else { return }
        connection.activate(window)
        connection.setFullscreen(window, true)
        connection.flush()
    }

    // MARK: - Monitors, problems, status

    private func emitMonitors(reason: String) {
        let monitors = outputs.monitors
        emit(OutgoingEvent("screen.monitors", [
            "reason": .string(reason), "count": .number(Double(monitors.count)), "monitors": .array(monitors.map(\.json)),
        ]))
    }

    private func checkProblems() {
        guard let connection else { return }
        let missing = connection.missing
        var found: [String] = []
        if missing.contains(.foreignToplevel) {
            found.append(WaylandProblem.missing("zwlr_foreign_toplevel_manager_v1", on: connection,
                "the call page's window cannot be found: whether it stays full screen is not known, and it cannot be put back"))
        } else if toplevelsFinished {
            found.append("the Wayland compositor at \(connection.name) stopped telling about windows (zwlr_foreign_toplevel_manager_v1 finished): the call page's full screen is no longer seen")
        } else if missing.contains(.foreignToplevelWithoutFullscreen) {
            found.append("the Wayland compositor at \(connection.name) offers zwlr_foreign_toplevel_manager_v1 version 1 only: the call page's full screen is seen but cannot be put back (set_fullscreen needs version 2)")
        }
        if missing.contains(.seat) {
            found.append("the Wayland compositor at \(connection.name) offers no wl_seat: the call page cannot be brought back to the front")
        }
        problems = found
    }

    private func updateStatus(violation: Violation? = nil) {
        status.set(ScreenStatus.Snapshot(
            connected: connection != nil, window: report.window, fullScreen: report.isFullscreen, kind: report.kind, page: page,
            pageRefreshes: 0, violation: violation, enforcing: enforcer.enabled, attemptsInWindow: enforcer.attempts.count,
            monitors: outputs.monitors.count))
    }
}
