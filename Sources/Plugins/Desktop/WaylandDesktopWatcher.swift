import ProctorJSON
import WaylandSupport
import X11Support

/// The desktop plugin on a wlroots compositor, on the session's thread:
/// windows and focus from wlr-foreign-toplevel-management, clipboard and
/// primary-selection offers from wlr-data-control.
///
/// Data-control tells what a new selection offers (its MIME types) but not
/// who offers it: the owner and its application stay unknown (null), and
/// `call_page` is false even when the call page copied.
/// `@unchecked Sendable`: once started it is used on the session's thread only.
final class WaylandDesktopWatcher: WaylandDescriptorWatcher, @unchecked Sendable {
    private let settings: DesktopSettings
    private let matcher: CallPageMatcher
    private let emit: @Sendable (OutgoingEvent) -> Void
    private let status: DesktopStatus
    private var connection: WaylandConnection?
    private var windows: [WindowID: Toplevel] = [:]
    private var order: [WindowID] = []
    private var focus = FocusTracker()
    private var settle: FocusSettle
    /// The toplevel the compositor last marked activated, `.none` for none.
    private var active = WindowID.none
    private let clipboard: WaylandClipboard
    private(set) var problems: [String] = []
    private var finished: (toplevels: Bool, dataControl: Bool) = (false, false)

    init(settings: DesktopSettings, matcher: CallPageMatcher, status: DesktopStatus, emit: @escaping @Sendable (OutgoingEvent) -> Void) {
        self.settings = settings
        self.matcher = matcher
        self.emit = emit
        self.status = status
        settle = FocusSettle(delay: settings.focusSettle)
        clipboard = WaylandClipboard(settings: settings)
    }

    func attach(_ connection: WaylandConnection, now: Double) {
        self.connection = connection
        finished = (false, false)
        // What the compositor has now is queued: it is "present", not "opened".
        while let event = connection.nextEvent() { apply(event, now: now, initial: true) }
        if settings.focus, let initial = windows.values.first(where: \.activated) {
            active = initial.id
            if let change = focus.focus(initial.id, isCallPage: isCallPage(initial), now: now) {
                emitFocus(change, window: initial, initial: true)
            }
        }
        checkProblems()
        updateStatus()
    }

    func detach(now: Double, lost: Bool) {
        clipboard.detach()
        windows = [:]
        order = []
        focus.reset()
        settle.reset()
        active = .none
        connection = nil
        updateStatus()
    }

    func handle(_ event: WaylandEvent, now: Double) {
        apply(event, now: now, initial: false)
        switch event {
        case .toplevelsFinished, .dataControlFinished: checkProblems()
        default: break
        }
        updateStatus()
    }

    var nextDeadline: Double? { [settle.deadline, clipboard.deadline].compactMap { $0 }.min() }

    func deadlineReached(now: Double) {
        clipboard.deadlineReached(now: now).forEach(emit)
        if let due = settle.deadline, due <= now {
            let move = active.isNone ? settle.deadlineReached(now: now) : settle.observe(active, now: now)
            if let move { focusMoved(move) }
        }
    }

    /// Readable clipboard pipes the session should wake for.
    var descriptors: [Int32] { clipboard.descriptors }

    func readable(_ fd: Int32, now: Double) { clipboard.readable(fd, now: now).forEach(emit) }

    private func isCallPage(_ toplevel: Toplevel) -> Bool {
        if matcher.matches(toplevel.app, title: toplevel.title) { return true }
        // A dialog of the call page (its file chooser, the share picker) counts as the call page.
        return toplevel.parent.flatMap { windows[$0] }.map { matcher.matches($0.app, title: $0.title) } ?? false
    }

    private func apply(_ event: WaylandEvent, now: Double, initial: Bool) {
        switch event {
        case .toplevel(let toplevel):
            let before = windows[toplevel.id]
            if before == nil { order.append(toplevel.id) }
            windows[toplevel.id] = toplevel
            if before == nil, settings.windows { emit(windowEvent(toplevel, change: initial ? "present" : "opened")) }
            guard !initial else { return }
            if toplevel.activated && toplevel.id != active {
                focusChanged(to: toplevel.id, now: now)
            } else if !toplevel.activated && toplevel.id == active {
                focusChanged(to: .none, now: now)
            } else if toplevel.id == active, settle.emptySince == nil, settings.focus, let before, before.title != toplevel.title || before.appID != toplevel.appID,
                let change = focus.reclassify(isCallPage: isCallPage(toplevel), now: now)
            {
                emitFocus(change, window: toplevel, initial: false)
            }
        case .toplevelClosed(let id):
            guard let window = windows.removeValue(forKey: id) else { return }
            order.removeAll { $0 == id }
            if settings.windows { emit(windowEvent(window, change: "closed")) }
            if id == active { focusChanged(to: .none, now: now) }
        case .toplevelsFinished:
            finished.toplevels = true
        case .selection(let selection, let types):
            guard settings.selections.contains(selection), let connection else { return }
            clipboard.offered(selection, types: types, change: initial ? "present" : "owner_changed", connection, now: now).forEach(emit)
        case .dataControlFinished:
            finished.dataControl = true
        case .output, .outputRemoved:
            break
        }
    }

    private func focusChanged(to window: WindowID, now: Double) {
        active = window
        guard settings.focus, let move = settle.observe(window, now: now) else { return }
        focusMoved(move)
    }

    private func focusMoved(_ move: FocusSettle.Move) {
        let window = move.window.isNone ? nil : windows[move.window]
        guard let change = focus.focus(move.window, isCallPage: window.map(isCallPage) ?? false, now: move.at, left: move.left)
        else { return }
        emitFocus(change, window: window, initial: false)
    }

    private func emitFocus(_ change: FocusTracker.Change, window: Toplevel?, initial: Bool) {
        emit(DesktopEvents.focus(change, app: window.map { $0.app.json }, title: window?.title, titles: settings.titles, initial: initial))
    }

    private func windowEvent(_ window: Toplevel, change: String) -> OutgoingEvent {
        DesktopEvents.window(window.id, change: change, app: window.app, isCallPage: isCallPage(window), title: window.title, titles: settings.titles)
    }

    private func updateStatus() {
        status.set(DesktopStatus.Snapshot(connected: connection != nil, windows: order.count,
                                          callPages: windows.values.filter(isCallPage).count))
    }

    private func checkProblems() {
        guard let connection else { return }
        let missing = connection.missing
        var found: [String] = []
        if missing.contains(.foreignToplevel) {
            found.append(WaylandProblem.missing("zwlr_foreign_toplevel_manager_v1", on: connection,
                "windows opening and closing and focus leaving the call page are not seen"))
        } else if finished.toplevels {
            found.append("the Wayland compositor at \(connection.name) stopped telling about windows (zwlr_foreign_toplevel_manager_v1 finished): focus and new windows are no longer seen")
        }
        if missing.contains(.dataControl) {
            found.append(WaylandProblem.missing("zwlr_data_control_manager_v1", on: connection,
                "copying and pasting (clipboard and primary selection) are not seen"))
        } else if missing.contains(.seat) {
            found.append("the Wayland compositor at \(connection.name) offers no wl_seat: the clipboard, which belongs to a seat, is not seen")
        } else if finished.dataControl {
            found.append("the Wayland compositor at \(connection.name) ended the clipboard watch (zwlr_data_control_device_v1 finished): copying and pasting are no longer seen")
        } else if missing.contains(.dataControlWithoutPrimary) && settings.selections.contains("primary") {
            found.append("the Wayland compositor at \(connection.name) offers zwlr_data_control_manager_v1 version 1 only: the primary selection (select, middle-click) is not seen")
        }
        problems = found
    }
}
