import Foundation

/// A real, non-headless Chromium window on a test display showing a call
/// page: a `data:` URL whose title carries the marker, in `--app` mode like
/// a kiosk-ish call page. Its profile lives in the test's directory; every
/// Chromium process is stopped with it.
public final class ChromiumWindow: @unchecked Sendable {
    public let process: SpawnedProcess
    /// The window's id ("0x..."), once it appeared.
    public let window: String
    private let profile: String

    /// Opens the page and waits for its window, found by `marker` in its title.
    /// `script` runs in the page (eg to change the title later).
    public init(display: String, marker: String, title: String? = nil, script: String = "", directory: TemporaryDirectory) async throws {
        let html = """
            <!doctype html><html><head><meta charset="utf-8"><title>\(title ?? "Interview \(marker)")</title></head>
            <body style="font: 24px sans-serif"><p id="text">The call page of a test interview.</p>
            <script>\(script)</script></body></html>
            """
        let profile = directory.path + "/chromium-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: profile, withIntermediateDirectories: true)
        process = try SpawnedProcess(
            "/usr/bin/chromium",
            ["--no-sandbox", "--user-data-dir=\(profile)", "--no-first-run", "--no-default-browser-check",
             "--disable-gpu", "--password-store=basic", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--disable-features=Translate,MediaRouter", "--noerrdialogs", "--window-size=1000,700",
             "--app=data:text/html;charset=utf-8," + Self.percentEncoded(html)],
            // HOME in the profile keeps Chromium's crash database and caches out of the
            // real home, and marks its crash handler (which leaves the process group) as ours.
            environment: ["DISPLAY": display, "WAYLAND_DISPLAY": nil, "HOME": profile, "XDG_CONFIG_HOME": nil,
                          "XDG_CACHE_HOME": nil],
            log: directory.path + "/chromium.log")
        self.profile = profile
        guard let found = await XTools(display: display).waitForWindow(titled: marker, timeout: .seconds(40)) else {
            process.stop()
            throw HarnessError("no Chromium window titled \(marker) on \(display): \(process.log.suffix(800))")
        }
        window = found
    }

    /// Stops the browser, and the crash handler it started in a session of
    /// its own (found by the profile path in its command line).
    public func close() {
        process.stop()
        SpawnedProcess.stopStrays(mentioning: profile)
    }

    static func percentEncoded(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~ ")
        return text.addingPercentEncoding(withAllowedCharacters: allowed)!.replacingOccurrences(of: " ", with: "%20")
    }

    deinit { close() }
}
