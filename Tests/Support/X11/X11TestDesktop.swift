import Foundation

/// A whole desktop for one test, started and stopped by the harness itself:
/// Xvfb on a free display, openbox managing it, and the tools to drive it.
/// Nothing depends on what happens to be running on the machine.
public final class X11TestDesktop: @unchecked Sendable {
    public let directory = TemporaryDirectory("proctord-x11")
    public let server: XvfbServer
    public private(set) var windowManager: WindowManager
    public let tools: XTools
    private var started: [SpawnedProcess] = []
    private var browsers: [ChromiumWindow] = []

    public var display: String { server.display }

    public init() async throws {
        server = try XvfbServer(directory: directory)
        windowManager = try await WindowManager(display: server.display, directory: directory)
        tools = XTools(display: server.display)
    }

    /// Opens the call page in Chromium with `marker` in its title.
    public func openCallPage(marker: String, title: String? = nil, script: String = "") async throws -> ChromiumWindow {
        let browser = try await ChromiumWindow(display: display, marker: marker, title: title, script: script, directory: directory)
        browsers.append(browser)
        return browser
    }

    /// xclip holding `text` in "clipboard" or "primary"; stopped with the desktop.
    public func copy(_ text: String, to selection: String) throws -> SpawnedProcess {
        let process = try tools.copy(text, to: selection, directory: directory)
        started.append(process)
        return process
    }

    /// Another application's window (xmessage), eg "600x400+100+100", with
    /// `title`; stopped with the desktop.
    public func openOtherWindow(_ text: String, geometry: String, title: String = "xmessage") async throws -> (SpawnedProcess, String) {
        let process = try tools.message(text, geometry: geometry, title: title, directory: directory)
        started.append(process)
        guard let window = await tools.waitForWindow(titled: title, timeout: .seconds(10)) else {
            throw HarnessError("xmessage did not open a window: \(process.log.suffix(300))")
        }
        return (process, window)
    }

    /// Kills the X server as a crash would; everything on it goes with it.
    public func crashServer() {
        server.crash()
        browsers.forEach { $0.close() }
        windowManager.stop()
    }

    /// Brings the X server back on the same display, with a window manager.
    public func restartServer() async throws {
        try server.restart()
        windowManager = try await WindowManager(display: server.display, directory: directory)
    }

    /// Stops everything this desktop started, newest first.
    public func stop() {
        started.reversed().forEach { $0.stop(grace: .milliseconds(500)) }
        browsers.forEach { $0.close() }
        windowManager.stop()
        server.stop()
    }

    deinit { stop() }
}
