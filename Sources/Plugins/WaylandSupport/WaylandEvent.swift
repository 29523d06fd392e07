import WaylandShim
import X11Support

/// A window as wlr-foreign-toplevel-management describes it: no geometry,
/// no stacking, no process; a title, an app id and a few states.
public struct Toplevel: Equatable, Sendable {
    /// The shim's id for the handle, written like an X window id so events keep their shape;
    /// never given to another window while the session runs, reconnects included.
    public var id: WindowID
    public var title: String?
    public var appID: String?
    public var fullscreen: Bool
    public var activated: Bool
    public var minimized: Bool
    public var maximized: Bool
    /// The output it entered last, nil when none is known.
    public var output: UInt32?
    public var parent: WindowID?

    public init(id: WindowID, title: String? = nil, appID: String? = nil, fullscreen: Bool = false, activated: Bool = false,
                minimized: Bool = false, maximized: Bool = false, output: UInt32? = nil, parent: WindowID? = nil) {
        self.id = id
        self.title = title
        self.appID = appID
        self.fullscreen = fullscreen
        self.activated = activated
        self.minimized = minimized
        self.maximized = maximized
        self.output = output
        self.parent = parent
    }

    /// What is known of the application: the app id stands where X has WM_CLASS;
    /// Wayland tells no process.
    public var app: AppIdentity { AppIdentity(className: appID) }
}

/// A compositor event as the plugins see it.
public enum WaylandEvent: Equatable, Sendable {
    /// A toplevel appeared or changed (its state is complete).
    case toplevel(Toplevel)
    case toplevelClosed(WindowID)
    /// The compositor stopped telling about windows.
    case toplevelsFinished
    /// "clipboard" or "primary" has a new offer with these MIME types, or none (nil).
    case selection(String, mimeTypes: [String]?)
    case dataControlFinished
    case output(id: UInt32, Monitor)
    case outputRemoved(id: UInt32)

    init?(_ e: wayland_shim_event) {
        func text(_ pointer: UnsafeMutablePointer<CChar>?) -> String? { pointer.map { String(cString: $0) } }
        switch e.kind {
        case WAYLAND_SHIM_EVENT_TOPLEVEL:
            let state = e.state
            self = .toplevel(Toplevel(
                id: WindowID(UInt(e.id)), title: text(e.title), appID: text(e.app_id),
                fullscreen: state & WAYLAND_SHIM_FULLSCREEN.rawValue != 0, activated: state & WAYLAND_SHIM_ACTIVATED.rawValue != 0,
                minimized: state & WAYLAND_SHIM_MINIMIZED.rawValue != 0, maximized: state & WAYLAND_SHIM_MAXIMIZED.rawValue != 0,
                output: e.output == 0 ? nil : e.output, parent: e.parent == 0 ? nil : WindowID(UInt(e.parent))))
        case WAYLAND_SHIM_EVENT_TOPLEVEL_CLOSED: self = .toplevelClosed(WindowID(UInt(e.id)))
        case WAYLAND_SHIM_EVENT_TOPLEVELS_FINISHED: self = .toplevelsFinished
        case WAYLAND_SHIM_EVENT_SELECTION:
            let types = (text(e.mime_types) ?? "").split(separator: "\n").map(String.init)
            self = .selection(e.selection == 0 ? "clipboard" : "primary", mimeTypes: e.has_offer != 0 ? types : nil)
        case WAYLAND_SHIM_EVENT_DATA_CONTROL_FINISHED: self = .dataControlFinished
        case WAYLAND_SHIM_EVENT_OUTPUT:
            let rect = Rect(x: Int(e.x), y: Int(e.y), width: Int(e.width), height: Int(e.height))
            self = .output(id: e.id, Monitor(name: text(e.name) ?? "output-\(e.id)", rect: rect, primary: false,
                                             widthMillimetres: Int(e.width_mm), heightMillimetres: Int(e.height_mm)))
        case WAYLAND_SHIM_EVENT_OUTPUT_REMOVED: self = .outputRemoved(id: e.id)
        default: return nil
        }
    }
}
