import Foundation
import ProctorJSON
import ProctorTestSupport
import Testing
import X11Support

@testable import Desktop

/// The desktop plugin's pure parts: hashing, titles, focus durations,
/// selection targets and what a probe reports.
@Suite struct DesktopLogicTests {
    @Test func sha256MatchesKnownAnswers() {
        #expect(SHA256.hex(Array("".utf8)) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let twoBlocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
        #expect(SHA256.hex(Array(twoBlocks.utf8)) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func sha256AgreesWithCoreutilsOnEveryPaddingLength() throws {
        var generator = SystemRandomNumberGenerator()
        let dir = TemporaryDirectory()
        for length in [1, 55, 56, 57, 63, 64, 65, 119, 120, 1000] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let file = dir.path + "/data-\(length)"
            _ = FileManager.default.createFile(atPath: file, contents: Data(bytes))
            let expected = try Shell.runNow("sha256sum", [file]).prefix(64)
            #expect(SHA256.hex(bytes) == String(expected), "length \(length)")
        }
    }

    @Test func titlesAreSentAsConfigured() {
        var full = JSONObject(), hashed = JSONObject(), none = JSONObject()
        TitlePolicy.full.add("Notes — secret", to: &full)
        TitlePolicy.hashed.add("abc", to: &hashed)
        TitlePolicy.none.add("Notes", to: &none)
        #expect(full["title"] == "Notes — secret" && full["title_sha256"] == nil)
        #expect(hashed["title_sha256"] == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" && hashed["title"] == nil)
        #expect(none.isEmpty)
    }

    @Test func focusAwayIsMeasuredFromLeavingTheCallPageToReturning() {
        var tracker = FocusTracker()
        let page = WindowID(1), notes = WindowID(2), terminal = WindowID(3)
        #expect(tracker.focus(page, isCallPage: true, now: 0) == .init(window: page, isCallPage: true, away: nil, leftCallPage: false))
        #expect(tracker.focus(page, isCallPage: true, now: 1) == nil, "no move, no change")
        #expect(tracker.focus(notes, isCallPage: false, now: 2)?.leftCallPage == true)
        #expect(tracker.focus(terminal, isCallPage: false, now: 3) == .init(window: terminal, isCallPage: false, away: nil, leftCallPage: false))
        #expect(tracker.focus(.none, isCallPage: false, now: 4)?.leftCallPage == false)
        #expect(tracker.focus(page, isCallPage: true, now: 6.5)?.away == 4.5)
        #expect(tracker.awaySince == nil)
    }

    /// Focus on a browser window before its page paired: the marking tells
    /// that focus is now on the call page (the integrity rules read only
    /// these events), with no time away.
    @Test func theFocusedWindowBecomingTheCallPageIsReportedWithNoTimeAway() {
        var tracker = FocusTracker()
        _ = tracker.focus(WindowID(1), isCallPage: false, now: 0)
        #expect(tracker.reclassify(isCallPage: true, now: 1) == .init(window: WindowID(1), isCallPage: true, away: nil, leftCallPage: false))
        #expect(tracker.onCallPage)
        #expect(tracker.focus(WindowID(2), isCallPage: false, now: 3)?.leftCallPage == true)
        #expect(tracker.focus(WindowID(1), isCallPage: true, now: 5)?.away == 2)
        // Another tab in the same window: the marker goes, and comes back with the call page.
        #expect(tracker.reclassify(isCallPage: false, now: 6) == .init(window: WindowID(1), isCallPage: false, away: nil, leftCallPage: true))
        #expect(tracker.awaySince == 6)
        #expect(tracker.reclassify(isCallPage: true, now: 11)?.away == 5)
    }

    /// Focus left the call page for a window that then gets marked (a second
    /// browser window the page moved to): focus is back on the call page, and
    /// the time since it left is reported.
    @Test func anotherWindowBecomingTheCallPageReportsTheTimeAway() {
        var tracker = FocusTracker()
        let page = WindowID(1), other = WindowID(2)
        _ = tracker.focus(page, isCallPage: true, now: 0)
        #expect(tracker.focus(other, isCallPage: false, now: 2)?.leftCallPage == true)
        #expect(tracker.reclassify(isCallPage: true, now: 7) == .init(window: other, isCallPage: true, away: 5, leftCallPage: false))
        #expect(tracker.onCallPage && tracker.awaySince == nil)
    }

    @Test func theSizeIsMeasuredOnTheBestTextTarget() {
        let chromium = ["TIMESTAMP", "TARGETS", "SAVE_TARGETS", "UTF8_STRING", "STRING", "text/html", "text/plain;charset=utf-8"]
        #expect(SelectionTargets.contentTypes(chromium) == ["UTF8_STRING", "STRING", "text/html", "text/plain;charset=utf-8"])
        #expect(SelectionTargets.measured(chromium) == "UTF8_STRING")
        #expect(SelectionTargets.measured(["TARGETS", "image/png"]) == "image/png")
        #expect(SelectionTargets.measured(["TARGETS", "TIMESTAMP"]) == nil)
    }

    func probe(content: [UInt8], size: Int, type: String = "UTF8_STRING") -> SelectionProbe {
        var probe = SelectionProbe(selection: "clipboard", property: 1, owner: WindowID(0x1000001), change: "owner_changed",
                                   app: .unknown, isCallPage: false, deadline: 1)
        probe.targets = ["TARGETS", type]
        probe.sizeType = type
        probe.size = size
        probe.append(content, limit: 4)
        return probe
    }

    @Test func contentLeavesOnlyAsConfigured() {
        let p = probe(content: Array("secret".utf8), size: 6)
        #expect(p.content == Array("secr".utf8), "never more than the limit")
        let none = p.event(complete: true, content: .none).data
        #expect(none["content"] == nil && none["content_sha256"] == nil && none["content_truncated"] == nil)
        #expect(none["targets"] == ["UTF8_STRING"] && none["size_bytes"] == 6)
        let hashed = p.event(complete: true, content: .sha256).data
        #expect(hashed["content_sha256"] == .string(SHA256.hex(Array("secr".utf8))) && hashed["content"] == nil)
        #expect(hashed["content_truncated"] == true)
        let text = p.event(complete: true, content: .text).data
        #expect(text["content"] == "secr" && text["content_truncated"] == true)
        let image = probe(content: [1, 2], size: 2, type: "image/png").event(complete: true, content: .text).data
        #expect(image["content"] == nil, "only text is reported as text")
        #expect(p.event(complete: false, content: .text).data["content"] == nil, "nothing from an unfinished transfer")
    }
}
