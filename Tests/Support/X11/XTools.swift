#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The X command-line tools tests drive the desktop with (xdotool, wmctrl,
/// xprop, xrandr, xclip, xmessage), each run against one test display.
public struct XTools: Sendable {
    public let display: String

    public init(display: String) { self.display = display }

    /// Runs a tool to completion and returns its standard output; throws when
    /// it fails or takes longer than `timeout` (then it is killed).
    @discardableResult
    public func run(_ tool: String, _ arguments: [String], timeout: Duration = .seconds(10)) throws -> String {
        String(decoding: try output(of: tool, arguments, timeout: timeout), as: UTF8.self)
    }

    /// Runs a tool to completion and returns its standard output as bytes; throws like `run`.
    public func output(of tool: String, _ arguments: [String], timeout: Duration = .seconds(10)) throws -> Data {
        try ToolRun.output(of: "/usr/bin/" + tool, arguments, environment: ["DISPLAY": display], timeout: timeout)
    }

    // MARK: windows

    /// Managed windows whose title contains `text` (wmctrl -l), as ids like "0x00400002".
    public func windows(titled text: String) -> [String] {
        let listing = (try? run("wmctrl", ["-l"])) ?? ""
        return listing.split(separator: "\n").filter { $0.contains(text) }.compactMap { line in
            line.split(separator: " ").first.flatMap { UInt($0.dropFirst(2), radix: 16) }.map(Self.id)
        }
    }

    /// `_NET_WM_STATE` of a window, as atom names.
    public func state(_ window: String) -> [String] {
        let text = (try? run("xprop", ["-id", window, "_NET_WM_STATE"])) ?? ""
        guard let equals = text.firstIndex(of: "=") else { return [] }
        return text[text.index(after: equals)...].split(separator: ",").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { !$0.isEmpty }
    }

    /// `_NET_CLIENT_LIST_STACKING`: managed windows bottom to top.
    public func stacking() -> [String] {
        let text = (try? run("xprop", ["-root", "_NET_CLIENT_LIST_STACKING"])) ?? ""
        guard let hash = text.range(of: "# ") else { return [] }
        return text[hash.upperBound...].split(separator: ",").compactMap {
            UInt($0.trimmingCharacters(in: .whitespacesAndNewlines).dropFirst(2), radix: 16).map(Self.id)
        }
    }

    public func isFullscreen(_ window: String) -> Bool { state(window).contains("_NET_WM_STATE_FULLSCREEN") }

    /// The focused window (`_NET_ACTIVE_WINDOW`), nil when none.
    public func activeWindow() -> String? {
        let text = (try? run("xprop", ["-root", "_NET_ACTIVE_WINDOW"])) ?? ""
        guard let hash = text.range(of: "# ") else { return nil }
        let raw = UInt(text[hash.upperBound...].trimmingCharacters(in: .whitespacesAndNewlines).dropFirst(2), radix: 16) ?? 0
        return raw == 0 ? nil : Self.id(raw)
    }

    /// Takes the window out of (or into) full screen the way a pager does (wmctrl).
    public func setFullscreen(_ window: String, _ on: Bool) throws {
        try run("wmctrl", ["-i", "-r", window, "-b", on ? "add,fullscreen" : "remove,fullscreen"])
    }

    public func minimise(_ window: String) throws { try run("xdotool", ["windowminimize", window]) }

    /// Focuses and raises a window (_NET_ACTIVE_WINDOW through xdotool).
    public func activate(_ window: String) throws { try run("xdotool", ["windowactivate", window]) }

    /// Clicks into a window and types a key combination, eg "ctrl+c".
    public func click(_ window: String, x: Int = 100, y: Int = 100) throws {
        try run("xdotool", ["mousemove", "--window", window, String(x), String(y), "click", "1"])
    }

    public func key(_ combination: String) throws { try run("xdotool", ["key", combination]) }

    // MARK: monitors

    public func addMonitor(_ name: String, geometry: String) throws {
        try run("xrandr", ["--setmonitor", name, geometry, "none"])
    }

    public func removeMonitor(_ name: String) throws { try run("xrandr", ["--delmonitor", name]) }

    // MARK: other applications

    /// xclip owning `selection` ("clipboard" or "primary") with `text`, until
    /// another owner takes it or the process is stopped.
    public func copy(_ text: String, to selection: String, directory: TemporaryDirectory) throws -> SpawnedProcess {
        let file = directory.write("clip-\(selection)-\(UInt32.random(in: 0...UInt32.max)).txt", text)
        return try SpawnedProcess("/usr/bin/xclip", ["-quiet", "-selection", selection, "-i", file],
                                  environment: ["DISPLAY": display], log: directory.path + "/xclip.log")
    }

    /// An xmessage window (WM_CLASS "xmessage", "Xmessage"): another
    /// application's window for focus and covering tests.
    public func message(_ text: String, geometry: String, title: String = "xmessage", directory: TemporaryDirectory) throws -> SpawnedProcess {
        try SpawnedProcess("/usr/bin/xmessage", ["-geometry", geometry, "-title", title, text],
                           environment: ["DISPLAY": display], log: directory.path + "/xmessage.log")
    }

    /// Waits until a managed window titled `text` exists and returns its id.
    public func waitForWindow(titled text: String, timeout: Duration = .seconds(20)) async -> String? {
        var found: String?
        _ = await eventually(timeout: timeout, every: .milliseconds(100)) {
            found = windows(titled: text).first
            return found != nil
        }
        return found
    }

    static func id(_ raw: UInt) -> String {
        let hex = String(raw, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, 8 - hex.count)) + hex
    }
}
