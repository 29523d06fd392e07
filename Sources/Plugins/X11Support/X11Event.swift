import X11Shim

/// An X event as the plugins see it.
public enum X11Event: Equatable, Sendable {
    case property(window: WindowID, atom: X11Atom, deleted: Bool)
    /// A window changed size or place (parent-relative geometry).
    case configured(window: WindowID)
    case destroyed(WindowID)
    case mapped(WindowID)
    case unmapped(WindowID)
    /// XFixes: the selection has a new owner, or none (`owner` is `.none`).
    case selectionOwner(selection: X11Atom, owner: WindowID, time: UInt)
    /// Our conversion request was answered; `property` 0 means refused.
    case selectionNotify(requestor: WindowID, selection: X11Atom, target: X11Atom, property: X11Atom)
    /// Someone asks a selection we own for `target`.
    case selectionRequest(requestor: WindowID, selection: X11Atom, target: X11Atom, property: X11Atom, time: UInt)
    case selectionClear(selection: X11Atom)
    /// The monitor layout may have changed: a RandR notification, or the
    /// root window's ConfigureNotify (how Xvfb reports `xrandr --setmonitor`).
    case screenChanged
    case other

    init(_ e: x11_shim_event, root: WindowID) {
        let window = WindowID(e.window)
        switch x11_shim_event_kind(UInt32(e.kind)) {
        case X11_SHIM_EVENT_PROPERTY: self = .property(window: window, atom: e.atom, deleted: e.deleted != 0)
        case X11_SHIM_EVENT_CONFIGURE: self = window == root ? .screenChanged : .configured(window: window)
        case X11_SHIM_EVENT_DESTROY: self = .destroyed(window)
        case X11_SHIM_EVENT_MAP: self = .mapped(window)
        case X11_SHIM_EVENT_UNMAP: self = .unmapped(window)
        case X11_SHIM_EVENT_SELECTION_OWNER:
            self = .selectionOwner(selection: e.atom, owner: WindowID(e.owner), time: e.time)
        case X11_SHIM_EVENT_SELECTION_NOTIFY:
            self = .selectionNotify(requestor: window, selection: e.atom, target: e.target, property: e.property)
        case X11_SHIM_EVENT_SELECTION_REQUEST:
            self = .selectionRequest(requestor: window, selection: e.atom, target: e.target, property: e.property, time: e.time)
        case X11_SHIM_EVENT_SELECTION_CLEAR: self = .selectionClear(selection: e.atom)
        case X11_SHIM_EVENT_SCREEN_CHANGE: self = .screenChanged
        default: self = .other
        }
    }
}
