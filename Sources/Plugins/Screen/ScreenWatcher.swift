import ProctorJSON
import X11Support

/// The screen plugin on the X session's thread: follows the call page's
/// window, measures its posture on every relevant event, reports it, feeds
/// the enforcer and carries out its re-assertions; reports the monitors.
/// `@unchecked Sendable`: once started it is used on the session's thread only.
final class ScreenWatcher: X11Watcher, ScreenDisplayWatcher, @unchecked Sendable {
    private let settings: ScreenSettings
    private let emit: @Sendable (OutgoingEvent) -> Void
    private let clients: ClientWindows
    private let status: ScreenStatus
    private var connection: X11Connection?
    private var enforcer: FullscreenEnforcer
    private var report: FullscreenReport
    private var monitors: [Monitor] = []
    private var attachments = 0
    private(set) var problems: [String] = []
    private var windowManagerCheck: WindowID?
    /// What the page last said about itself (`page_state`), nil before it said anything.
    private var page: PageState?
    private var remedy = HiddenPageRemedy()

    init(settings: ScreenSettings, matcher: CallPageMatcher, status: ScreenStatus, emit: @escaping @Sendable (OutgoingEvent) -> Void) {
        self.settings = settings
        self.emit = emit
        self.status = status
        clients = ClientWindows(matcher: matcher)
        enforcer = FullscreenEnforcer(policy: settings.policy, enabled: settings.enforcement == .always)
        report = FullscreenReport(tolerance: settings.tolerance, coverThreshold: settings.coverThreshold)
    }

    func attach(_ connection: X11Connection, now: Double) {
        self.connection = connection
        attachments += 1
        postureAtoms = Set(["_NET_WM_STATE", "WM_STATE", "_NET_FRAME_EXTENTS", "_NET_WM_NAME", "WM_NAME", "WM_CLASS", "_NET_WM_PID"]
            .map { connection.atoms[$0] })
        connection.watchRoot()
        clients.reload(connection)
        monitors = connection.monitors()
        emitMonitors(reason: attachments == 1 ? "start" : "reconnect")
        checkProblems(connection)
        evaluate(now: now)
        updateStatus()
    }

    func detach(now: Double, lost: Bool) {
        report.lost(reason: lost ? "display_lost" : "stopped", now: now).forEach(emit)
        _ = enforcer.handle(.windowLost, now: now)
        remedy.reset()
        clients.clear()
        connection = nil
        status.set(ScreenStatus.Snapshot(enforcing: enforcer.enabled))
    }

    func handle(_ event: X11Event, now: Double) {
        guard let connection else { return }
        let atoms = connection.atoms!
        switch event {
        case .property(let window, let atom, _) where window == connection.root:
            if atom == atoms["_NET_CLIENT_LIST"] { clients.reload(connection) }
            if atom == atoms["_NET_SUPPORTING_WM_CHECK"] { checkProblems(connection) }
            evaluate(now: now)
        case .property(let window, let atom, _):
            _ = clients.refresh(window, atom: atom, connection)
            if clients.windows[window] != nil && postureAtoms.contains(atom) { evaluate(now: now) }
        case .destroyed(let window) where window == windowManagerCheck:
            checkProblems(connection)  // the window manager exited
            evaluate(now: now)
        case .configured(let window), .mapped(let window), .unmapped(let window), .destroyed(let window):
            if clients.windows[window] != nil || window == report.window { evaluate(now: now) }
        case .screenChanged:
            let current = connection.monitors()
            if current != monitors {
                monitors = current
                emitMonitors(reason: "change")
            }
            evaluate(now: now)
        default:
            break
        }
    }

    var nextDeadline: Double? {
        [enforcer.deadline, remedy.deadline].compactMap { $0 }.min()
    }

    /// The window properties whose change can change a posture or which
    /// window is the call page (not, say, `_NET_WM_USER_TIME` on every key press).
    /// The window properties whose change can change the call page's posture
    /// (or which window it is); looked up once per connection, not per event.
    private var postureAtoms: Set<X11Atom> = []

    func deadlineReached(now: Double) {
        if remedy.due(page: page, at: now), let window = report.window { refreshFullscreen(window) }
        if remedy.expire(at: now) { evaluate(now: now) }  // report what the refresh left
        perform(enforcer.handle(.deadlineReached, now: now), now: now)
        updateStatus()
    }

    /// The page said whether it holds the browser's own full screen and whether it is shown.
    func pageReported(_ state: PageState, now: Double) {
        page = state
        remedy.pageReported(state, at: now)
        evaluate(now: now)
    }

    /// Turns enforcement on or off (the page's share state, with `while_sharing`).
    func setEnforcement(_ on: Bool, now: Double) {
        guard on != enforcer.enabled else { return }
        _ = enforcer.handle(.enabled(on), now: now)
        evaluate(now: now)
    }

    // MARK: - The call page's window

    /// Finds the call page, measures it, reports what changed and lets the
    /// enforcer decide.
    private func evaluate(now: Double) {
        guard let connection else { return }
        let pages = clients.callPages
        let target = pages.first { $0.id == report.window } ?? pages.last
        if let tracked = report.window, tracked != target?.id {
            let reason = clients.windows[tracked] == nil ? "closed" : "unmarked"
            report.lost(reason: reason, now: now).forEach(emit)
            _ = enforcer.handle(.windowLost, now: now)
            remedy.reset()
        }
        guard let target, let posture = measure(target.id, connection) else {
            updateStatus()
            return
        }
        remedy.observe(minimised: posture.state.hidden || !posture.viewable, fullscreen: posture.state.fullscreen,
                       byAgent: enforcer.isReasserting, at: now)
        if remedy.hides(fullscreen: posture.isFullscreen(tolerance: settings.tolerance), at: now) {
            updateStatus()
            return
        }
        let coveredBy = posture.coveredBy.map { id -> JSONValue in
            ["window": .string(id.description), "app": (clients.windows[id]?.app ?? .unknown).json]
        }
        report.observe(target.id, posture, byAgent: enforcer.isReasserting, coveredBy: coveredBy,
                       pageFullScreen: page?.fullScreen == true, now: now).forEach(emit)
        let violation = posture.violation(tolerance: settings.tolerance, coverThreshold: settings.coverThreshold)
        perform(enforcer.handle(.observed(violation), now: now), now: now)
        updateStatus(violation: violation)
    }

    private func measure(_ window: WindowID, _ connection: X11Connection) -> WindowPosture? {
        guard let geometry = connection.geometry(window) else { return nil }
        let stacking = connection.stackingOrder()
        let above = stacking.firstIndex(of: window).map { stacking[($0 + 1)...] } ?? []
        var rects: [Rect] = []
        var by: [WindowID] = []
        for other in above where clients.windows[other] != nil && !connection.windowState(other).hidden
            && !clients.isDialog(other, of: window, connection)
        {
            guard let rect = connection.outerGeometry(other), rect.intersection(geometry.rect) != nil else { continue }
            rects.append(rect)
            by.append(other)
        }
        return WindowPosture(
            state: connection.windowState(window), viewable: geometry.viewable, rect: geometry.rect,
            monitor: Monitor.showing(geometry.rect, among: monitors),
            coveredFraction: Coverage.fraction(of: geometry.rect, by: rects), coveredBy: by)
    }

    private func perform(_ actions: [FullscreenEnforcer.Action], now: Double) {
        for action in actions {
            if case .reassert(_, let violation) = action { reassert(violation) }
            if let event = ReactivationEvent.make(action, attemptsInWindow: enforcer.attempts.count) { emit(event) }
        }
    }

    /// Takes full screen off and puts it back: see `HiddenPageRemedy`.
    private func refreshFullscreen(_ window: WindowID) {
        guard let connection else { return }
        connection.requestFullscreen(window, false)
        connection.requestFullscreen(window, true)
        connection.flush()
    }

    /// Asks the window manager to show the window again, full screen and on top.
    private func reassert(_ violation: Violation) {
        guard let connection, let window = report.window else { return }
        // A wrong size needs full screen off and on to be measured afresh.
        // A minimised window shown again while still full screen can leave
        // Chromium's page hidden (see HiddenPageRemedy); shown first and made
        // full screen after, it does not; but not with the page's own full
        // screen, which stays shown and which taking full screen off would end.
        let unfullscreenFirst = violation == .resized
            || (violation == .minimised && page?.fullScreen != true && connection.windowState(window).fullscreen)
        if unfullscreenFirst { connection.requestFullscreen(window, false) }
        connection.requestActivation(window)
        if violation != .covered { connection.requestFullscreen(window, true) }
        connection.requestRaise(window)
        connection.flush()
    }

    // MARK: - Monitors, problems, status

    private func emitMonitors(reason: String) {
        emit(OutgoingEvent("screen.monitors", [
            "reason": .string(reason), "count": .number(Double(monitors.count)), "monitors": .array(monitors.map(\.json)),
        ]))
    }

    private func checkProblems(_ connection: X11Connection) {
        var found: [String] = []
        windowManagerCheck = connection.windowManagerCheck()
        if windowManagerCheck == nil {
            found.append("no EWMH window manager on \(connection.name): the call page's window can be found but not kept full screen")
        }
        if !connection.hasRandR {
            found.append("RandR 1.5 is missing on \(connection.name): the screen is reported as one monitor")
        }
        problems = found
    }

    private func updateStatus(violation: Violation? = nil) {
        status.set(ScreenStatus.Snapshot(
            connected: connection != nil, window: report.window, fullScreen: report.isFullscreen, kind: report.kind, page: page,
            pageRefreshes: remedy.refreshes,
            violation: violation, enforcing: enforcer.enabled, attemptsInWindow: enforcer.attempts.count,
            monitors: monitors.count))
    }
}
