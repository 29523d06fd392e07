import ProctorJSON

/// The guidelines in force when the config has no `guidelines` section:
/// common interview policies, worded as the interviewee would be told them.
/// The shipped plugins.json spells out the same rules.
public enum GuidelineDefaults {
    public static let rules: JSONValue = [
        rule("look_away", "look_away", "Keep your eyes on the screen; looking away for more than 6 seconds is noted.", "medium", ["min_s": 6]),
        rule("repeated_glances", "repeated_glances", "Glancing again and again toward the same place off the screen is noted.", "low",
             ["count": 6, "window_s": 120, "directions": ["left", "right", "down"]]),
        rule("face_absent", "face_absent", "Stay in view of the camera.", "medium", ["min_s": 5]),
        rule("multiple_faces", "multiple_faces", "Be alone in the camera's view.", "high", ["min_s": 2, "max_faces": 1]),
        rule("voice_in_quiet_phase", "voice_in_quiet_phase", "Stay silent while the interviewer asks for quiet.", "medium",
             ["min_s": 2, "phases": ["quiet"]]),
        rule("microphone_capture", "microphone_capture", "No other program may use the microphone.", "medium", ["min_s": 0]),
        rule("clipboard_paste", "clipboard_then_focus", "Do not copy from other applications into the call.", "high", ["within_s": 15]),
        rule("focus_away", "focus_away", "Keep the call page in focus.", "medium", ["min_s": 5]),
        rule("fullscreen_left", "fullscreen_left", "Keep the call page full screen.", "medium", ["min_s": 5]),
        rule("share_not_monitor", "share_not_monitor", "Share one whole monitor for the whole interview.", "medium", ["min_s": 5]),
        rule("extra_monitor", "extra_monitor", "Use a single monitor.", "medium", ["min_s": 0, "max_monitors": 1]),
        rule("remote_control", "flag", "No remote-control or assistant program may run.", "high",
             ["min_s": 0, "topic": "system.remote_control", "field": "active", "what": "a remote-control or assistant program"]),
        rule("virtual_camera", "flag", "Use a real camera.", "high",
             ["min_s": 0, "topic": "system.virtual_camera", "field": "active", "what": "a virtual camera"]),
        rule("virtual_machine", "flag", "Do not run the interview inside a virtual machine.", "medium",
             ["min_s": 0, "topic": "system.vm", "field": "active", "what": "a virtual machine"]),
        rule("screen_locked", "flag", "Keep the screen unlocked.", "low",
             ["min_s": 0, "topic": "session.lock", "field": "locked", "what": "the screen locked"]),
        rule("plugin_down", "plugin_down", "The agent's observers keep running for the whole interview.", "medium", ["min_s": 0]),
        rule("heartbeat_gap", "heartbeat_gap", "The agent keeps running for the whole interview.", "medium", ["gap_s": 5]),
        // The page's own word, counted only where no plugin sees the desktop: weaker evidence, lower severity.
        rule("page_away", "page_away", "Keep the call page in front and in focus.", "low", ["min_s": 5]),
        rule("page_fullscreen_left", "page_fullscreen_left", "Keep the call page full screen.", "low", ["min_s": 5]),
    ]

    private static func rule(_ id: String, _ kind: String, _ text: String, _ severity: String, _ parameters: JSONObject) -> JSONValue {
        var object: JSONObject = ["id": .string(id), "kind": .string(kind), "text": .string(text), "severity": .string(severity)]
        for (key, value) in parameters.members { object[key] = value }
        return .object(object)
    }

    /// The defaults, parsed.
    public static var guidelines: Guidelines { try! GuidelineParser.rules(rules, at: JSONPath.root.appending("guidelines").appending("rules")).get() }
}
