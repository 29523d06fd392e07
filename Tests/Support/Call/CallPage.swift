import Foundation
import ProctorJSON

/// One call page in a real Chromium tab, driven as a person would (trusted
/// clicks), with the waits and screenshots the call tests and benchmarks share.
public struct CallPage: Sendable {
    public let session: DevToolsSession
    public let name: String
    public let scratch: String

    /// Opens `url` in a new tab of `browser` and waits until the page has
    /// loaded (until then DevTools has no context to evaluate in).
    public static func open(_ url: String, in browser: Chromium, name: String, scratch: String) async throws -> CallPage {
        let session = try await browser.open(url)
        let deadline = Date(timeIntervalSinceNow: 30)
        while Date() < deadline {
            if let state = try? await session.evaluate("document.readyState"), state == "complete" { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        return CallPage(session: session, name: name, scratch: scratch)
    }

    /// Polls `expression` until `done` accepts its value or `timeout`
    /// passes; an evaluation that fails while the page (re)loads is retried.
    public func poll(_ expression: String, timeout: Double = 30, _ done: (JSONValue) -> Bool) async throws -> JSONValue {
        let deadline = Date(timeIntervalSinceNow: timeout)
        var value: JSONValue = .null
        repeat {
            do {
                value = try await session.evaluate(expression)
                if done(value) { return value }
            } catch let error as Chromium.Unavailable where error.description.contains("execution context") {}
            try await Task.sleep(for: .milliseconds(100))
        } while Date() < deadline
        return value
    }

    /// Waits until the page shows step `step` (body[data-step]).
    @discardableResult
    public func waitForStep(_ step: String, timeout: Double = 30) async throws -> Bool {
        try await poll("document.body?.dataset.step ?? ''", timeout: timeout) { $0.stringValue == step } == .string(step)
    }

    /// Waits until `expression` is true.
    @discardableResult
    public func waitUntil(_ expression: String, timeout: Double = 30) async throws -> Bool {
        try await poll("!!(\(expression))", timeout: timeout) { $0 == true } == true
    }

    /// Clicks `selector` once it is enabled (a page enables a step's button when the step is ready).
    public func clickWhenEnabled(_ selector: String) async throws {
        _ = try await waitUntil("(e => e && !e.disabled)(document.querySelector(\(JSONWriter.quoted(selector))))")
        try await session.click(selector)
    }

    public func click(_ selector: String) async throws {
        try await session.click(selector)
    }

    public func text(_ selector: String) async throws -> String {
        try await session.evaluate("document.querySelector(\(JSONWriter.quoted(selector)))?.textContent ?? ''").stringValue ?? ""
    }

    /// Waits until the `<video>` `id` decodes frames: videoWidth > 0 and its
    /// currentTime moves on by half a second. Returns its width.
    public func waitForPlayingVideo(_ id: String, timeout: Double = 60) async throws -> Int {
        let probe = "(() => { const v = document.getElementById('\(id)'); return v && v.videoWidth > 0 ? v.currentTime : -1; })()"
        let first = try await poll(probe, timeout: timeout) { ($0.doubleValue ?? -1) >= 0 }
        guard let start = first.doubleValue, start >= 0 else { return 0 }
        let moved = try await poll(probe, timeout: timeout) { ($0.doubleValue ?? 0) > start + 0.5 }
        guard (moved.doubleValue ?? 0) > start + 0.5 else { return 0 }
        return try await session.evaluate("document.getElementById('\(id)').videoWidth").intValue ?? 0
    }

    /// Hands `path` to the `<input type=file>` `selector`, as choosing it in the file dialog does.
    public func chooseFile(_ selector: String, path: String) async throws {
        let found = try await session.call("Runtime.evaluate", ["expression": .string("document.querySelector(\(JSONWriter.quoted(selector)))")])
        guard let object = found["result"]?["objectId"]?.stringValue else { throw HarnessError("no \(selector) on \(name)") }
        try await session.call("DOM.setFileInputFiles", ["files": [.string(path)], "objectId": .string(object)])
    }

    /// The interviewee's agent step as a person takes it: connect, type the
    /// agent's pairing `code`, pair. Throws naming what the page did not show.
    /// What follows (calibration when the agent runs gaze, else the join
    /// step) is the caller's.
    public func pairWithAgent(code: String) async throws {
        guard try await waitUntil("document.querySelector('#agent-root [data-action=connect]')") else {
            throw HarnessError("\(name): the agent step offers no connect button: \(try await text("#agent-root"))")
        }
        try await click("#agent-root [data-action=connect]")
        guard try await waitUntil("document.querySelector('#agent-root input[name=code]')") else {
            throw HarnessError("\(name): the page did not reach the agent to ask for its code: \(try await text("#agent-root"))")
        }
        _ = try await session.evaluate("document.querySelector('#agent-root input[name=code]').value = \(JSONWriter.quoted(code)); true")
        try await click("#agent-root [data-action=pair]")
    }

    /// Screenshots the viewport and measures how blank it is (the tests
    /// check `looksBlank`). With PROCTORD_UPDATE_DOC_IMAGES=1 a `doc` shot is
    /// kept as docs/images/call-NAME-STEP.png; PROCTORD_TEST_ARTIFACTS=DIR keeps them all.
    public func takeScreenshot(_ step: String, doc: Bool = false) async throws -> Shot {
        let png = try await session.screenshotPNG()
        let picture = try Screenshot.decode(png: png, in: scratch)
        let shot = Shot(page: name, step: step, width: picture.width, height: picture.height, dominant: picture.dominantColourFraction())
        let environment = ProcessInfo.processInfo.environment
        if doc, environment["PROCTORD_UPDATE_DOC_IMAGES"] == "1" {
            try png.write(to: URL(fileURLWithPath: TestBuild.repositoryRoot + "/docs/images/call-\(name)-\(step).png"))
        }
        if let keep = environment["PROCTORD_TEST_ARTIFACTS"] {
            try png.write(to: URL(fileURLWithPath: keep + "/call-\(name)-\(step).png"))
        }
        return shot
    }

    /// A screenshot's size and its most common colour's share of it.
    public struct Shot: Sendable, CustomStringConvertible {
        public let page: String
        public let step: String
        public let width: Int
        public let height: Int
        public let dominant: Double

        /// Too narrow, or one colour over 97% of it.
        public var looksBlank: Bool { !(width >= 300 && dominant < 0.97) }

        public var description: String { "\(page) at \(step): \(width)x\(height), \(Int(dominant * 100))% one colour" }
    }
}

/// The Chromium switches that stand in for a person at the devices: a fake
/// camera and microphone, permission prompts answered yes, the entire screen
/// picked in the share dialog, and media allowed to play without a gesture.
public let fakeMediaSwitches = [
    "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
    "--auto-select-desktop-capture-source=Entire screen", "--autoplay-policy=no-user-gesture-required",
    "--window-size=1280,800",
]
