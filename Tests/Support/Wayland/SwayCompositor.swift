#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A headless sway for one test, started and stopped by the harness: its own
/// runtime directory (so its Wayland and IPC sockets are its own), no GPU
/// (pixman), no input devices, no XWayland. sway refuses to run as root, so
/// it runs as `nobody`; root's clients can still connect to its sockets.
public final class SwayCompositor: @unchecked Sendable {
    public let directory: TemporaryDirectory
    /// The Wayland socket's absolute path (libwayland takes one as the display name).
    public private(set) var socket = ""
    /// sway's IPC socket, for swaymsg.
    public private(set) var ipc = ""
    private var process: SpawnedProcess?
    private var clients: [SpawnedProcess] = []

    public init() async throws {
        directory = TemporaryDirectory("proctord-sway")
        chmod(directory.path, 0o700)
        try await start()
    }

    /// Starts sway in `directory` and waits until it answers.
    private func start() async throws {
        guard let nobody = getpwnam("nobody") else { throw HarnessError("no user nobody to run sway as") }
        chown(directory.path, nobody.pointee.pw_uid, nobody.pointee.pw_gid)
        let config = directory.write("sway.conf", "xwayland disable\noutput HEADLESS-1 resolution 1280x800\n")
        process = try SpawnedProcess(
            "/usr/bin/setpriv",
            ["--reuid=\(nobody.pointee.pw_uid)", "--regid=\(nobody.pointee.pw_gid)", "--clear-groups", "--pdeathsig", "KILL",
             "--", "/usr/bin/sway", "-c", config],
            environment: ["XDG_RUNTIME_DIR": directory.path, "HOME": directory.path, "WLR_BACKENDS": "headless",
                          "WLR_LIBINPUT_NO_DEVICES": "1", "WLR_RENDERER": "pixman", "DISPLAY": nil, "WAYLAND_DISPLAY": nil,
                          "SWAYSOCK": nil],
            log: directory.path + "/sway.log")
        // Ready when both sockets exist and the IPC answers.
        let ready = await eventually(timeout: .seconds(20)) {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            guard let wayland = names.first(where: { $0.hasPrefix("wayland-") && !$0.hasSuffix(".lock") }),
                let ipc = names.first(where: { $0.hasPrefix("sway-ipc.") })
            else { return false }
            self.socket = directory.path + "/" + wayland
            self.ipc = directory.path + "/" + ipc
            return (try? self.swaymsg(["-t", "get_version"])) != nil
        }
        guard ready else {
            let log = process?.log.suffix(800) ?? ""
            stop()
            throw HarnessError("sway did not start: \(log)")
        }
    }

    /// What a client needs to reach this compositor (and nothing of the runner's desktop).
    public var clientEnvironment: [String: String?] {
        ["WAYLAND_DISPLAY": socket, "XDG_RUNTIME_DIR": directory.path, "DISPLAY": nil, "LC_ALL": "C.UTF-8"]
    }

    /// Runs swaymsg with `arguments` and returns its output.
    @discardableResult
    public func swaymsg(_ arguments: [String]) throws -> String {
        String(decoding: try ToolRun.output(of: "/usr/bin/swaymsg", ["-s", ipc] + arguments, environment: ["SWAYSOCK": nil]), as: UTF8.self)
    }

    /// A window (foot, running `sleep`) with `title` and `appID`; stopped with the compositor.
    public func openWindow(title: String, appID: String) throws -> SpawnedProcess {
        let window = try SpawnedProcess("/usr/bin/foot", ["--title", title, "--app-id", appID, "sleep", "3600"],
                                        environment: clientEnvironment, log: directory.path + "/foot-\(clients.count).log")
        clients.append(window)
        return window
    }

    /// wl-copy holding `text` in the clipboard (or the primary selection) until stopped.
    public func copy(_ text: String, primary: Bool = false) throws -> SpawnedProcess {
        try startCopier((primary ? ["--primary"] : []) + ["--foreground", text], input: "/dev/null")
    }

    /// wl-copy holding the bytes of `file` (read from its standard input) in the clipboard until stopped.
    public func copy(file: String, type: String) throws -> SpawnedProcess {
        try startCopier(["--foreground", "--type", type], input: file)
    }

    /// The bytes of `file` in the clipboard, written by an owner that (unlike wl-copy,
    /// which clears O_NONBLOCK) writes to the pipe as it was handed over, as most
    /// applications do; until another client takes the clipboard or it is stopped.
    public func copyAsApplications(file: String, type: String) throws -> SpawnedProcess {
        try startCopier([file, type], program: TestBuild.productsDirectory + "/wayland-test-owner", input: "/dev/null")
    }

    private func startCopier(_ arguments: [String], program: String = "/usr/bin/wl-copy", input: String) throws -> SpawnedProcess {
        let copier = try SpawnedProcess(program, arguments, environment: clientEnvironment,
                                        log: directory.path + "/copier-\(clients.count).log", input: input)
        clients.append(copier)
        return copier
    }

    /// The compositor goes away as a crash would.
    public func crash() {
        process?.crash()
        process = nil
    }

    /// Crashes the compositor and starts a new one on the same socket, as a
    /// session restarting it would; its clients go with the old one.
    public func restart() async throws {
        let previous = socket
        crash()
        clients.forEach { $0.stop(grace: .milliseconds(500)) }
        clients = []
        // The old IPC socket stays behind and would be taken for the new one.
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [] where name.hasPrefix("sway-ipc.") {
            unlink(directory.path + "/" + name)
        }
        try await start()
        guard socket == previous else { throw HarnessError("sway came back on \(socket), not \(previous)") }
    }

    public func stop() {
        clients.reversed().forEach { $0.stop(grace: .milliseconds(500)) }
        clients = []
        process?.stop()
        process = nil
    }

    deinit { stop() }
}

/// A headless weston: a Wayland compositor without the wlroots protocols,
/// as GNOME's Mutter is for the plugins.
public final class WestonCompositor: @unchecked Sendable {
    public let directory = TemporaryDirectory("proctord-weston")
    public var socket: String { directory.path + "/wayland-weston" }
    private var process: SpawnedProcess?

    public init() async throws {
        chmod(directory.path, 0o700)
        process = try SpawnedProcess(
            "/usr/bin/weston", ["--backend=headless-backend.so", "--socket=wayland-weston", "--idle-time=0"],
            environment: ["XDG_RUNTIME_DIR": directory.path, "DISPLAY": nil, "WAYLAND_DISPLAY": nil],
            log: directory.path + "/weston.log")
        let socket = self.socket
        guard await eventually(timeout: .seconds(20), { FileManager.default.fileExists(atPath: socket) }) else {
            let log = process?.log.suffix(800) ?? ""
            stop()
            throw HarnessError("weston did not start: \(log)")
        }
    }

    public func stop() {
        process?.stop()
        process = nil
    }

    deinit { stop() }
}
