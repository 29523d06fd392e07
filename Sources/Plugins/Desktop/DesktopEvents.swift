import ProctorJSON
import X11Support

/// The `desktop.focus` and `desktop.window` events, the same on X11 and Wayland.
enum DesktopEvents {
    /// `app`: the focused window's application as JSON, nil when focus is on no window.
    static func focus(_ change: FocusTracker.Change, app: JSONValue?, title: String?, titles: TitlePolicy, initial: Bool) -> OutgoingEvent {
        var data: JSONObject = [
            "window": change.window.isNone ? .null : .string(change.window.description),
            "app": app ?? .null,
            "call_page": .bool(change.isCallPage),
            "left_call_page": .bool(change.leftCallPage),
        ]
        titles.add(title, to: &data)
        if let away = change.away { data["away_ms"] = away.milliseconds }
        if initial { data["initial"] = true }
        return OutgoingEvent("desktop.focus", .object(data))
    }

    static func window(_ id: WindowID, change: String, app: AppIdentity, isCallPage: Bool, title: String?, titles: TitlePolicy) -> OutgoingEvent {
        var data: JSONObject = [
            "change": .string(change), "window": .string(id.description), "app": app.json, "call_page": .bool(isCallPage),
        ]
        titles.add(title, to: &data)
        return OutgoingEvent("desktop.window", .object(data))
    }
}
