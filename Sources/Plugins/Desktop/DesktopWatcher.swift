import ProctorJSON
import X11Support

/// The desktop plugin on the X session's thread: selection owners, focus
/// and the list of windows. `@unchecked Sendable`: once started it is used on
/// the session's thread only.
final class DesktopWatcher: X11Watcher, @unchecked Sendable {
    private let settings: DesktopSettings
    private let emit: @Sendable (OutgoingEvent) -> Void
    private let clients: ClientWindows
    private let clipboard: ClipboardMonitor
    private let status: DesktopStatus
    private var focus = FocusTracker()
    private var settle: FocusSettle
    private var connection: X11Connection?
    private(set) var problems: [String] = []
    private var windowManagerCheck: WindowID?

    init(settings: DesktopSettings, matcher: CallPageMatcher, status: DesktopStatus, emit: @escaping @Sendable (OutgoingEvent) -> Void) {
        self.settings = settings
        self.emit = emit
        self.status = status
        clients = ClientWindows(matcher: matcher)
        clipboard = ClipboardMonitor(settings: settings)
        settle = FocusSettle(delay: settings.focusSettle)
    }

    func attach(_ connection: X11Connection, now: Double) {
        self.connection = connection
        connection.watchRoot()
        let present = clients.reload(connection).opened
        if settings.windows { present.forEach { emit(windowEvent($0, change: "present")) } }
        clipboard.attach(connection, clients: clients, now: now).forEach(emit)
        focusChanged(now: now, initial: true)
        checkProblems(connection)
        updateStatus()
    }

    func detach(now: Double, lost: Bool) {
        clipboard.detach()
        clients.clear()
        focus.reset()
        settle.reset()
        connection = nil
        updateStatus()
    }

    func handle(_ event: X11Event, now: Double) {
        guard let connection else { return }
        let atoms = connection.atoms!
        switch event {
        case .destroyed(let window) where window == windowManagerCheck:
            checkProblems(connection)  // the window manager exited
        case .property(let window, let atom, _) where window == connection.root:
            if atom == atoms["_NET_CLIENT_LIST"] {
                let (opened, closed) = clients.reload(connection)
                if settings.windows {
                    opened.forEach { emit(windowEvent($0, change: "opened")) }
                    closed.forEach { emit(windowEvent($0, change: "closed")) }
                }
                updateStatus()
            } else if atom == atoms["_NET_ACTIVE_WINDOW"] {
                focusChanged(now: now, initial: false)
            } else if atom == atoms["_NET_SUPPORTING_WM_CHECK"] {
                checkProblems(connection)
            }
        case .property(let window, let atom, let deleted):
            // While focus is held on no window, the window it left is not focused: nothing to reclassify.
            if let (_, after) = clients.refresh(window, atom: atom, connection), window == focus.current, settle.emptySince == nil,
                let change = focus.reclassify(isCallPage: after.isCallPage || clients.belongsToCallPage(window, connection), now: now)
            {
                emitFocus(change, window: after, initial: false)
            }
            clipboard.helperPropertyChanged(window, atom: atom, deleted: deleted, now: now).forEach(emit)
        case .selectionOwner(let selection, let owner, _):
            clipboard.ownerChanged(selection, owner: owner, clients: clients, now: now).forEach(emit)
        case .selectionNotify(_, let selection, let target, let property):
            clipboard.conversionAnswered(selection, target: target, property: property, now: now).forEach(emit)
        default:
            break
        }
    }

    var nextDeadline: Double? { [clipboard.deadline, settle.deadline].compactMap { $0 }.min() }

    func deadlineReached(now: Double) {
        clipboard.deadlineReached(now: now).forEach(emit)
        if let due = settle.deadline, due <= now {
            // Ask X rather than trust the quiet: on a busy machine the event naming the next window may be unread yet.
            let active = connection?.activeWindow() ?? .none
            if let move = active.isNone ? settle.deadlineReached(now: now) : settle.observe(active, now: now) {
                focusMoved(move, initial: false)
            }
        }
    }

    private func focusChanged(now: Double, initial: Bool) {
        guard settings.focus, let connection, let active = connection.activeWindow() else { return }
        // The focus found on connecting is a fact, not a step on the way somewhere.
        let move = initial ? FocusSettle.Move(window: active, at: now, left: now) : settle.observe(active, now: now)
        if let move { focusMoved(move, initial: initial) }
    }

    private func focusMoved(_ move: FocusSettle.Move, initial: Bool) {
        guard let connection else { return }
        let active = move.window
        let window = active.isNone ? nil : (clients.windows[active] ?? clients.read(active, connection))
        let onCallPage = !active.isNone && clients.belongsToCallPage(active, connection)
        guard let change = focus.focus(active, isCallPage: onCallPage || window?.isCallPage == true, now: move.at, left: move.left)
        else { return }
        emitFocus(change, window: window, initial: initial)
    }

    private func emitFocus(_ change: FocusTracker.Change, window: ClientWindow?, initial: Bool) {
        emit(DesktopEvents.focus(change, app: window.map { $0.app.json }, title: window?.title, titles: settings.titles, initial: initial))
    }

    private func windowEvent(_ window: ClientWindow, change: String) -> OutgoingEvent {
        DesktopEvents.window(window.id, change: change, app: window.app, isCallPage: window.isCallPage, title: window.title, titles: settings.titles)
    }

    private func updateStatus() {
        status.set(DesktopStatus.Snapshot(connected: connection != nil, windows: clients.order.count, callPages: clients.callPages.count))
    }

    private func checkProblems(_ connection: X11Connection) {
        var found: [String] = []
        if !connection.hasXFixes {
            found.append("XFixes is missing on \(connection.name): clipboard and primary selection changes are not seen")
        }
        let unnamed = "applications whose windows do not name their process (eg xclip) are reported without one"
        if !connection.hasXRes {
            found.append("X-Resource 1.2 is missing on \(connection.name): \(unnamed)")
        } else if !connection.clientProcessIDsAreLocal {
            found.append("the X server of \(connection.name) gives no process ids of this machine (a TCP connection, or another pid namespace): \(unnamed)")
        }
        windowManagerCheck = connection.windowManagerCheck()
        if windowManagerCheck == nil {
            found.append("no EWMH window manager on \(connection.name): focus changes and new windows are not seen")
        }
        problems = found
    }
}
