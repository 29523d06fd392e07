import Foundation

/// A real Chromium started for one test: headless by default, its own
/// profile in a temporary directory, driven over the DevTools protocol.
/// It and every process it started are killed when the value goes away.
public final class Chromium: @unchecked Sendable {
    public let process = Process()
    public let devToolsPort: Int
    private let browserPath: String
    private let profile = TemporaryDirectory("proctord-chromium")

    public struct Unavailable: Error, CustomStringConvertible {
        public let description: String
    }

    /// Starts Chromium; `display` runs it with a window on that X display
    /// instead of headless, `wayland` (a compositor's client environment:
    /// `WAYLAND_DISPLAY`, `XDG_RUNTIME_DIR`) natively on that Wayland compositor.
    public static func launch(display: String? = nil, wayland: [String: String?]? = nil, extraArguments: [String] = []) async throws -> Chromium {
        try await offPool { try Chromium(display: display, wayland: wayland, extraArguments: extraArguments) }
    }

    private init(display: String?, wayland: [String: String?]?, extraArguments: [String]) throws {
        var arguments = ["--no-sandbox", "--no-first-run", "--no-default-browser-check", "--disable-gpu",
                         "--disable-dev-shm-usage", "--remote-debugging-port=0", "--user-data-dir=\(profile.path)"]
        if wayland != nil { arguments.append("--ozone-platform=wayland") } else if display == nil { arguments.append("--headless=new") }
        arguments += extraArguments + ["about:blank"]
        // The browser itself, not Debian's wrapper script, so its pid is the browser's.
        let binary = FileManager.default.isExecutableFile(atPath: "/usr/lib/chromium/chromium") ? "/usr/lib/chromium/chromium" : "/usr/bin/chromium"
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["DISPLAY"] = display
        for (name, value) in wayland ?? [:] { environment[name] = value }
        process.environment = environment
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try ParentBoundLaunch.run(process)
        // Chromium names its DevTools endpoint on stderr.
        var seen = ""
        let deadline = Date(timeIntervalSinceNow: 30)
        while !seen.contains("DevTools listening on ws://"), Date() < deadline, process.isRunning {
            let chunk = errors.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen += String(decoding: chunk, as: UTF8.self)
        }
        guard let range = seen.range(of: #"ws://127\.0\.0\.1:(\d+)(/devtools/browser/[^\s]+)"#, options: .regularExpression) else {
            process.terminate()
            throw Unavailable(description: "chromium did not open its DevTools port: \(seen.suffix(500))")
        }
        let url = String(seen[range])
        let afterHost = url.dropFirst("ws://127.0.0.1:".count)
        devToolsPort = Int(afterHost.prefix { $0.isNumber })!
        browserPath = String(afterHost.drop { $0.isNumber })
        // Keep draining stderr so Chromium never blocks on a full pipe.
        Thread { while !errors.fileHandleForReading.availableData.isEmpty {} }.start()
    }

    /// Opens `url` in a new tab and returns a DevTools session on it.
    public func open(_ url: String) async throws -> DevToolsSession {
        let target = try await browser().call("Target.createTarget", ["url": .string(url)])
        guard let id = target["targetId"]?.stringValue else {
            throw Unavailable(description: "Target.createTarget gave no targetId: \(target)")
        }
        return try await DevToolsSession.connect(port: devToolsPort, path: "/devtools/page/\(id)", targetID: id)
    }

    /// A DevTools session on the browser itself, for its `Target` domain (tabs, windows).
    public func browser() async throws -> DevToolsSession {
        try await DevToolsSession.connect(port: devToolsPort, path: browserPath)
    }

    deinit {
        // Helpers (zygotes, renderers, GPU) first: they would outlive a killed browser.
        for pid in Processes.descendants(of: process.processIdentifier).reversed() { kill(pid, SIGKILL) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}
