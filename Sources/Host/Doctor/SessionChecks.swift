import Foundation
import ProctorJSON

/// The doctor's look at the desktop session the agent would run in: the
/// display server and its extensions, the window manager, the cameras and
/// who holds them, the sound server and the session bus.
public struct SessionChecks: Sendable {
    public let environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) { self.environment = environment }

    /// The X extensions the screen and desktop plugins use.
    static let neededExtensions = ["RANDR", "XFIXES", "X-Resource"]

    public func display() -> DoctorFinding {
        let wayland = environment["WAYLAND_DISPLAY"].flatMap { $0.isEmpty ? nil : $0 }
        guard let display = environment["DISPLAY"], !display.isEmpty else {
            if let wayland {
                return DoctorFinding(
                    "display", .warning, "Wayland session (\(wayland)) without Xwayland: DISPLAY is not set",
                    advice: "the screen and desktop plugins watch the compositor itself, which needs the wlroots protocols (sway, Hyprland, labwc, river; not GNOME or KDE): their state says what they cannot see (docs/wayland.md); doctor does not check the compositor yet",
                    details: ["server": "wayland", "wayland_display": .string(wayland)])
            }
            return DoctorFinding(
                "display", .problem, "no display: neither DISPLAY nor WAYLAND_DISPLAY is set",
                advice: "run this from a terminal in your desktop session; for the service, `proctord service enable` there imports them (docs/install.md)",
                details: ["server": "none"])
        }
        let server = wayland == nil ? "x11" : "xwayland"
        guard let info = ToolOutput.run("xdpyinfo", ["-display", display, "-queryExtensions"], environment: environment) else {
            let socketPath = "/tmp/.X11-unix/X" + display.drop { $0 != ":" }.dropFirst().prefix { $0.isNumber }
            if ToolOutput.which("xdpyinfo") == nil {
                let exists = FileManager.default.fileExists(atPath: socketPath)
                return DoctorFinding(
                    "display", exists ? .note : .warning,
                    "DISPLAY=\(display)\(exists ? "" : ", but \(socketPath) does not exist"); its extensions are unknown (xdpyinfo is not installed)",
                    advice: "install x11-utils to let the doctor ask the X server", details: ["server": .string(server), "display": .string(display)])
            }
            return DoctorFinding(
                "display", .problem, "cannot open the X display \(display)",
                advice: "check that DISPLAY and XAUTHORITY are this session's (docs/install.md, \"DISPLAY and XAUTHORITY\")",
                details: ["server": .string(server), "display": .string(display)])
        }
        let extensions = Self.extensions(fromXdpyinfo: info)
        let missing = Self.neededExtensions.filter { !extensions.contains($0) }
        let vendor = info.split(separator: "\n").first { $0.hasPrefix("vendor string:") }
            .map { $0.dropFirst("vendor string:".count).trimmingCharacters(in: .whitespaces) } ?? "unknown"
        let details: JSONValue = [
            "server": .string(server), "display": .string(display), "vendor": .string(vendor),
            "extensions": .array(extensions.map { .string($0) }), "missing_extensions": .array(missing.map { .string($0) }),
        ]
        if !missing.isEmpty {
            return DoctorFinding(
                "display", .warning, "\(server == "x11" ? "X11" : "Xwayland") display \(display) (\(vendor)) lacks \(missing.joined(separator: ", "))",
                advice: "the screen plugin needs RANDR and XFIXES, the desktop plugin X-Resource; a full X server (Xorg) has them",
                details: details)
        }
        let note = server == "xwayland" ? "; in this Wayland session the plugins watch the compositor unless display_server is \"x11\" (docs/wayland.md)" : ""
        return DoctorFinding(
            "display", server == "x11" ? .ok : .warning, "\(server == "x11" ? "X11" : "Xwayland") display \(display) (\(vendor)) with RANDR, XFIXES, X-Resource\(note)",
            details: details)
    }

    static func extensions(fromXdpyinfo text: String) -> [String] {
        var names: [String] = []
        var inList = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("number of extensions:") { inList = true; continue }
            guard inList else { continue }
            guard line.hasPrefix("    ") else { if !names.isEmpty { break } else { continue } }
            if let name = line.trimmingCharacters(in: .whitespaces).split(separator: " ").first { names.append(String(name)) }
        }
        return names
    }

    public func windowManager() -> DoctorFinding {
        guard let display = environment["DISPLAY"], !display.isEmpty else {
            return DoctorFinding("window_manager", .note, "not checked: no X display")
        }
        guard let root = ToolOutput.run("xprop", ["-display", display, "-root", "_NET_SUPPORTING_WM_CHECK"], environment: environment) else {
            return DoctorFinding("window_manager", .note, "not checked: xprop is not installed or the display does not answer",
                                 advice: "install x11-utils")
        }
        guard let id = root.split(separator: " ").last.map(String.init), id.hasPrefix("0x") else {
            return DoctorFinding(
                "window_manager", .warning, "no EWMH window manager runs on \(display)",
                advice: "the desktop plugin reports the active window through the window manager (_NET_ACTIVE_WINDOW); start one")
        }
        let name = ToolOutput.run("xprop", ["-display", display, "-id", id, "_NET_WM_NAME"], environment: environment)
            .flatMap { $0.split(separator: "\"", maxSplits: 2).dropFirst().first.map(String.init) } ?? "unnamed"
        return DoctorFinding("window_manager", .ok, "\(name) (EWMH)", details: ["name": .string(name)])
    }

    /// Every /dev/video* the kernel has, its name, and the processes holding it open.
    public func cameras() -> DoctorFinding {
        let devices = ((try? FileManager.default.contentsOfDirectory(atPath: "/dev")) ?? [])
            .filter { $0.hasPrefix("video") }.sorted { $0.localizedStandardCompare($1) == .orderedAscending }
        guard !devices.isEmpty else {
            return DoctorFinding(
                "cameras", .warning, "no camera: /dev has no video devices",
                advice: "plug in a camera (the gaze plugin waits for one and reports gaze.camera_lost until then)",
                details: ["devices": []])
        }
        let holders = Self.openFileHolders()
        var list: [JSONValue] = []
        var lines: [String] = []
        for device in devices {
            let path = "/dev/" + device
            let name = (try? String(contentsOfFile: "/sys/class/video4linux/\(device)/name", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? "unknown"
            let held = holders[path] ?? []
            let readable = access(path, R_OK | W_OK) == 0
            list.append([
                "device": .string(path), "name": .string(name), "accessible": .bool(readable),
                "held_by": .array(held.map { ["pid": .number(Double($0.pid)), "command": .string($0.command)] }),
            ])
            var line = "\(path) \(name)"
            if !readable { line += " (no permission: add yourself to the video group)" }
            if !held.isEmpty { line += " held by " + held.map { "\($0.command) (pid \($0.pid))" }.joined(separator: ", ") }
            lines.append(line)
        }
        let usable = list.contains { $0["accessible"]?.boolValue == true }
        return DoctorFinding(
            "cameras", usable ? .ok : .warning, lines.joined(separator: "; "),
            advice: usable ? nil : "the agent's user must be able to open a camera (the video group)",
            details: ["devices": .array(list)])
    }

    /// Which processes (of those this user may look at) have each file open.
    static func openFileHolders() -> [String: [(pid: Int32, command: String)]] {
        var holders: [String: [(pid: Int32, command: String)]] = [:]
        let processes = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { Int32($0) }
        for pid in processes {
            guard let fds = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd") else { continue }
            var seen: Set<String> = []
            for fd in fds {
                guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)"),
                      target.hasPrefix("/dev/video") || target.hasPrefix("socket:"), seen.insert(target).inserted else { continue }
                let command = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?
                    .trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
                holders[target, default: []].append((pid, command))
            }
        }
        return holders
    }

    public func soundServer() -> DoctorFinding {
        let runtime = environment["XDG_RUNTIME_DIR"] ?? ""
        if let info = ToolOutput.run("pactl", ["info"], environment: environment) {
            let name = info.split(separator: "\n").first { $0.hasPrefix("Server Name:") }
                .map { $0.dropFirst("Server Name:".count).trimmingCharacters(in: .whitespaces) } ?? "a PulseAudio-compatible server"
            return DoctorFinding("sound_server", .ok, name, details: ["server": .string(name)])
        }
        for (socket, name) in [("pulse/native", "PulseAudio"), ("pipewire-0", "PipeWire")] where !runtime.isEmpty {
            if FileManager.default.fileExists(atPath: runtime + "/" + socket) {
                return DoctorFinding("sound_server", .ok, "\(name) (\(runtime)/\(socket))", details: ["server": .string(name)])
            }
        }
        return DoctorFinding(
            "sound_server", .note, "no sound server found (no PulseAudio or PipeWire socket in XDG_RUNTIME_DIR)",
            advice: "only plugins that listen to audio need one; the default plugins do not")
    }

    public func sessionBus() -> DoctorFinding {
        let address = environment["DBUS_SESSION_BUS_ADDRESS"]
            ?? environment["XDG_RUNTIME_DIR"].map { "unix:path=\($0)/bus" }
        guard let address else {
            return DoctorFinding(
                "session_bus", .note, "no session bus: neither DBUS_SESSION_BUS_ADDRESS nor XDG_RUNTIME_DIR is set",
                advice: "desktop notifications need the session bus; a desktop login provides one")
        }
        let path = address.split(separator: ",").first { $0.hasPrefix("unix:path=") }.map { String($0.dropFirst("unix:path=".count)) }
        if let path, !FileManager.default.fileExists(atPath: path) {
            return DoctorFinding("session_bus", .note, "the session bus \(address) does not exist",
                                 advice: "desktop notifications need the session bus; a desktop login provides one",
                                 details: ["address": .string(address)])
        }
        return DoctorFinding("session_bus", .ok, address, details: ["address": .string(address)])
    }
}
