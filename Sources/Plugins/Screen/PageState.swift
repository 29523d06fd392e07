import PluginKit
import ProctorJSON

/// What the call page says about itself through the client's `page_state`
/// request: whether it holds the browser's own full screen (the Fullscreen
/// API, which hides the tabs, the address bar and the infobars that a
/// window manager's full screen leaves on screen) and whether the browser
/// shows it (`document.visibilityState`).
struct PageState: Equatable, Sendable {
    var fullScreen: Bool
    var visible: Bool

    /// Reads `{"full_screen": bool, "visible": bool}`.
    static func parse(_ params: JSONValue?) throws(PluginRequestError) -> PageState {
        guard let fullScreen = params?["full_screen"]?.boolValue, let visible = params?["visible"]?.boolValue else {
            throw .invalidParams("page_state needs {\"full_screen\": true|false, \"visible\": true|false}, got \(params.map(JSONWriter.compact) ?? "nothing")")
        }
        return PageState(fullScreen: fullScreen, visible: visible)
    }

    var json: JSONValue { ["full_screen": .bool(fullScreen), "visible": .bool(visible)] }
}

/// Which full screen holds the call page: the page's own (nothing of the
/// browser on screen) or only the window manager's (the browser's tabs and
/// address bar still show inside the full-screen window).
enum FullscreenKind: String, Sendable {
    case page
    case window
}
