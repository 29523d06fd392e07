/// Decides which windows are the call page: any window whose title holds the
/// marker; and, when the config names a WM_CLASS and/or a _NET_WM_PID, any
/// window that matches every one of those it names.
public struct CallPageMatcher: Equatable, Sendable {
    public var marker: String
    /// Matched against WM_CLASS's instance or class name, ignoring case; "" for none.
    public var windowClass: String
    /// Matched against the window's process (_NET_WM_PID, or the X server's
    /// record of the client's process when the window sets none); 0 for none.
    public var processID: Int32

    public init(marker: String, windowClass: String = "", processID: Int32 = 0) {
        self.marker = marker
        self.windowClass = windowClass
        self.processID = processID
    }

    public func matches(_ app: AppIdentity, title: String?) -> Bool {
        if !marker.isEmpty, let title, title.contains(marker) { return true }
        if windowClass.isEmpty && processID == 0 { return false }
        if !windowClass.isEmpty {
            let wanted = windowClass.lowercased()
            guard app.instanceName?.lowercased() == wanted || app.className?.lowercased() == wanted else { return false }
        }
        if processID != 0 { guard app.processID == processID else { return false } }
        return true
    }
}
