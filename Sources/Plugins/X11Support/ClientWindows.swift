/// A top-level window the window manager manages, as the plugins know it.
public struct ClientWindow: Equatable, Sendable {
    public let id: WindowID
    public var title: String?
    public var app: AppIdentity
    /// The window shows the call page (see `CallPageMatcher`).
    public var isCallPage: Bool

    public init(id: WindowID, title: String?, app: AppIdentity, isCallPage: Bool) {
        self.id = id
        self.title = title
        self.app = app
        self.isCallPage = isCallPage
    }
}

/// The managed windows (`_NET_CLIENT_LIST`) with their titles, applications
/// and whether each is the call page; both plugins keep one, updated from
/// root and per-window PropertyNotify events. Used on the session thread.
public final class ClientWindows {
    public let matcher: CallPageMatcher
    public private(set) var windows: [WindowID: ClientWindow] = [:]
    /// The client list's order, oldest first.
    public private(set) var order: [WindowID] = []

    /// The properties whose change can change what the table holds.
    static let identityAtoms = ["_NET_WM_NAME", "WM_NAME", "WM_CLASS", "_NET_WM_PID"]

    public init(matcher: CallPageMatcher) { self.matcher = matcher }

    public var callPages: [ClientWindow] { order.compactMap { windows[$0] }.filter(\.isCallPage) }

    /// Re-reads `_NET_CLIENT_LIST` and returns the windows that appeared and
    /// disappeared since the last reload, in list order.
    @discardableResult
    public func reload(_ connection: X11Connection) -> (opened: [ClientWindow], closed: [ClientWindow]) {
        let list = connection.clientList()
        let present = Set(list)
        let closed = order.filter { !present.contains($0) }.compactMap { windows.removeValue(forKey: $0) }
        var opened: [ClientWindow] = []
        for id in list where windows[id] == nil {
            connection.watchWindow(id)
            let window = read(id, connection)
            windows[id] = window
            opened.append(window)
        }
        order = list
        return (opened, closed)
    }

    /// Re-reads a window after one of its properties changed; returns the
    /// window before and after when its title, application or call-page
    /// status changed.
    public func refresh(_ id: WindowID, atom: X11Atom, _ connection: X11Connection) -> (before: ClientWindow, after: ClientWindow)? {
        guard let before = windows[id], Self.identityAtoms.contains(where: { connection.atoms[$0] == atom }) else { return nil }
        // A title change (every page title the browser sets) leaves the application as it
        // was: no X-Resource round trip or /proc read for it.
        let titleOnly = atom == connection.atoms["_NET_WM_NAME"] || atom == connection.atoms["WM_NAME"]
        let after = titleOnly ? read(id, connection, app: before.app) : read(id, connection)
        guard after != before else { return nil }
        windows[id] = after
        return (before, after)
    }

    /// Forgets everything (the connection went away).
    public func clear() {
        windows = [:]
        order = []
    }

    /// Title, application and call-page status of any window.
    /// `app`: the application already known, when only the title can have changed.
    public func read(_ id: WindowID, _ connection: X11Connection, app known: AppIdentity? = nil) -> ClientWindow {
        let title = connection.title(id)
        let app = known ?? identity(of: id, connection)
        return ClientWindow(id: id, title: title, app: app, isCallPage: matcher.matches(app, title: title))
    }

    /// The managed window that stands for `window`'s application: the window
    /// itself, its WM_CLIENT_LEADER, or a managed window of the same X client
    /// (a selection owner is usually a hidden window of the application).
    public func client(owning window: WindowID, _ connection: X11Connection) -> ClientWindow? {
        if let known = windows[window] { return known }
        if let leader = connection.clientLeader(window), let known = windows[leader] { return known }
        return order.first { connection.sameClient($0, window) }.flatMap { windows[$0] }
    }

    /// True when `window` is a dialog of `owner` (its WM_TRANSIENT_FOR chain
    /// leads there): a file chooser or the browser's share picker belongs to
    /// the call page, it does not cover it or take focus from it.
    public func isDialog(_ window: WindowID, of owner: WindowID, _ connection: X11Connection) -> Bool {
        var current = window
        for _ in 0..<8 {  // a chain of dialogs is short; a loop of them must not hang the plugin
            guard let parent = connection.transientFor(current), parent != current else { return false }
            if parent == owner { return true }
            current = parent
        }
        return false
    }

    /// True when `window` is a call page or a dialog of one.
    public func belongsToCallPage(_ window: WindowID, _ connection: X11Connection) -> Bool {
        if windows[window]?.isCallPage == true { return true }
        return callPages.contains { isDialog(window, of: $0.id, connection) }
    }

    private func identity(of id: WindowID, _ connection: X11Connection) -> AppIdentity {
        var app = AppIdentity()
        if let names = connection.windowClass(id) {
            app.instanceName = names.instance
            app.className = names.class
        }
        if let pid = connection.processID(id) {
            app.processID = pid
            if connection.isLocalClient(id) { app.processName = AppIdentity.processName(of: pid) }
        } else if let pid = connection.clientProcessID(id) {
            // The window does not say (xclip sets no _NET_WM_PID); the server knows from the client's socket.
            app.processID = pid
            app.processName = AppIdentity.processName(of: pid)
        }
        return app
    }
}
