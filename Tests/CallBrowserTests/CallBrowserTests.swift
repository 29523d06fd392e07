import Foundation
import ProctorJSON
import ProctorTestSupport
import Testing

/// The reference interview app end to end: two real headless Chromium
/// instances with fake cameras load the two pages from the real
/// `proctord-call`, on loopback, and talk to each other over WebRTC.
@Suite(.serialized) struct CallBrowserTests {
    let scratch = TemporaryDirectory("proctord-call-pages")

    /// Both join, see and hear each other, the interviewer sees the shared
    /// screen, a 5 MiB file crosses the data channel intact, a recording of
    /// about 5 s is a playable WebM, and a third page is refused in words.
    @Test func twoPagesCallEachOtherShareAFileAndRecord() async throws {
        let server = try await CallServerProcess()
        let room = try await server.createRoom(title: "Browser test")
        let candidateLink = try #require(room["links"]?["interviewee"]?.stringValue)
        let code = try #require(room["codes"]?["interviewer"]?.stringValue, "\(room)")
        let secret = try #require(room["interviewerSecret"]?.stringValue, "\(room)")

        let candidateBrowser = try await Chromium.launch(extraArguments: fakeMediaSwitches)
        let interviewerBrowser = try await Chromium.launch(extraArguments: fakeMediaSwitches)

        // The interviewee follows the link: its code is checked from the fragment.
        let candidate = try await CallPage.open(candidateLink, in: candidateBrowser, name: "interviewee", scratch: scratch.path)
        let atDevices = try await candidate.waitForStep("devices")
        let startError = try await candidate.text("#start-error")
        #expect(atDevices, "\(startError)")
        #expect(try await candidate.waitForPlayingVideo("preview") > 0, "the camera preview plays")
        #expect(try await candidate.waitUntil("document.getElementById('camera').options.length > 0"))
        try await candidate.screenshot("devices", doc: true)
        try await candidate.clickWhenEnabled("#devices-continue")
        #expect(try await candidate.waitForStep("agent"))
        #expect(try await candidate.waitUntil("document.querySelector('#agent-root [data-action=without]')"))
        try await candidate.screenshot("agent")
        try await candidate.click("#agent-root [data-action=without]")
        #expect(try await candidate.waitForStep("join"))
        try await candidate.screenshot("join", doc: true)
        try await candidate.click("#join")
        #expect(try await candidate.waitForStep("call"))
        let shared = try await candidate.waitUntil("document.body.dataset.screen === 'shared'")
        let notices = try await candidate.text("#notices")
        #expect(shared, "\(notices)")

        // The interviewer types the code and the secret.
        let interviewer = try await CallPage.open("\(server.origin)/interviewer", in: interviewerBrowser, name: "interviewer", scratch: scratch.path)
        #expect(try await interviewer.waitForStep("start"))
        try await interviewer.session.evaluate("""
            document.getElementById('code').value = \(JSONWriter.quoted(code));
            document.getElementById('secret').value = \(JSONWriter.quoted(secret)); true
            """)
        try await interviewer.screenshot("start", doc: true)
        try await interviewer.click("#start-submit")
        let accepted = try await interviewer.waitForStep("devices")
        let refusal = try await interviewer.text("#start-error")
        #expect(accepted, "\(refusal)")
        #expect(try await interviewer.waitForPlayingVideo("preview") > 0)
        let joinedAt = Date()
        try await interviewer.clickWhenEnabled("#devices-continue")
        #expect(try await interviewer.waitForStep("call"))

        // Each receives the other's video, frames decoded and moving on.
        let seen = try await interviewer.waitForPlayingVideo("remote-video")
        let states = try await [candidate, interviewer].asyncMap { try await $0.session.evaluate("JSON.stringify(document.body.dataset)") }
        if seen == 0 { print("call pages: \(states)") }
        try #require(seen > 0, "the interviewer sees the candidate; the pages: \(states); the server: \(server.log.suffix(3000))")
        let firstFrame = Date().timeIntervalSince(joinedAt)
        #expect(try await candidate.waitForPlayingVideo("remote-video") > 0, "the candidate sees the interviewer")
        #expect(try await interviewer.waitForPlayingVideo("remote-screen") > 0, "the interviewer sees the shared screen")
        #expect(try await interviewer.waitUntil("document.getElementById('screen-missing').hidden"))
        #expect(try await candidate.waitForPlayingVideo("screen-preview") > 0, "the candidate sees what is shared")
        print("call pages: join to first remote frame \(Int(firstFrame * 1000)) ms")
        try await candidate.screenshot("call", doc: true)
        try await interviewer.screenshot("call", doc: true)

        try await shareFile(from: interviewer, to: candidate)
        try await record(interviewer, candidate, browser: interviewerBrowser)
        try await thirdPageIsRefused(candidateLink, browser: candidateBrowser)
        try await leavingStopsTheCapture(candidate, tracks: ["local-video", "screen-preview"], live: "audio,video,video")
        try await leavingStopsTheCapture(interviewer, tracks: ["local-video"], live: "audio,video")
        withExtendedLifetime(server) {}
    }

    /// Leave ends the capture, not only the call: the camera, microphone and
    /// screen tracks the page held all stop (the browser's indicators go off).
    /// The interviewee leaves first, then the interviewer.
    func leavingStopsTheCapture(_ page: CallPage, tracks videos: [String], live: String) async throws {
        let ids = videos.map { "'\($0)'" }.joined(separator: ", ")
        let held = try await page.session.evaluate("""
            window.heldTracks = [\(ids)]
              .flatMap((id) => document.getElementById(id).srcObject?.getTracks() ?? []);
            window.heldTracks.filter((t) => t.readyState === 'live').map((t) => t.kind).sort().join(',')
            """).stringValue
        #expect(held == live, "\(page.name): what it captures is live before leaving: \(held ?? "nil")")
        try await page.click("#leave")
        #expect(try await page.waitUntil("document.body.dataset.ended === 'true'"))
        let stopped = try await page.waitUntil("window.heldTracks.every((t) => t.readyState === 'ended')", timeout: 10)
        let states = try await page.session.evaluate("window.heldTracks.map((t) => t.kind + ':' + t.readyState).join(',')").stringValue
        #expect(stopped, "every captured track ends on Leave: \(states ?? "nil")")
    }

    /// 5 MiB of random bytes offered by the interviewer, accepted by the
    /// candidate, hashed on both ends and here.
    func shareFile(from sender: CallPage, to receiver: CallPage) async throws {
        var bytes = [UInt8](repeating: 0, count: 5 * 1024 * 1024)
        var generator = SystemRandomNumberGenerator()
        for i in stride(from: 0, to: bytes.count, by: 8) {
            withUnsafeBytes(of: generator.next()) { random in for j in 0..<8 { bytes[i + j] = random[j] } }
        }
        let path = scratch.path + "/questions.bin"
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        let expected = String(try await Shell.run("sha256sum", [path]).prefix(64))
        try await sender.chooseFile("#file-input", path: path)
        let offer = "#transfers li[data-direction=receive][data-state=offered] button.primary"
        #expect(try await receiver.waitUntil("document.querySelector('\(offer)')"), "the candidate is asked to accept")
        #expect(try await receiver.text("#transfers li[data-direction=receive] .transfer-name").contains("questions.bin"))
        try await receiver.screenshot("file-offer", doc: true)
        try await receiver.click(offer)
        let received = "#transfers li[data-direction=receive][data-state=received]"
        let arrived = try await receiver.waitUntil("document.querySelector('\(received)')", timeout: 60)
        let transfers = try await receiver.text("#transfers")
        #expect(arrived, "\(transfers)")
        let receivedHash = try await receiver.session.evaluate("document.querySelector('\(received)')?.dataset.sha256 ?? ''").stringValue
        let sentHash = try await sender.session.evaluate("document.querySelector('#transfers li[data-direction=send]')?.dataset.sha256 ?? ''").stringValue
        #expect(receivedHash == expected, "the receiving page hashed what arrived")
        #expect(sentHash == expected, "the sending page hashed what it offered")
        #expect(try await sender.waitUntil("document.querySelector('#transfers li[data-direction=send][data-state=sent]')"))
    }

    /// About 5 s of the interviewer's view, with the notice on both pages,
    /// downloaded and checked with ffprobe and ffmpeg.
    func record(_ interviewer: CallPage, _ candidate: CallPage, browser: Chromium) async throws {
        // Kept open: Chromium forgets the download behaviour when the session that set it closes.
        let control = try await browser.browser()
        let media = "document.getElementById('remote-video').currentTime"
        let startedAt = Date()
        try await interviewer.click("#record")
        #expect(try await candidate.waitUntil("!document.getElementById('recording-badge').hidden"), "the candidate sees that the call is recorded")
        #expect(try await candidate.text("#notices").contains("recording this call"))
        try await candidate.screenshot("recorded", doc: true)
        // Five seconds of the call itself: the remote video's own clock, not the test's.
        let start = try await interviewer.session.evaluate(media).doubleValue ?? 0
        _ = try await interviewer.session.waitFor(media, timeout: 60) { ($0.doubleValue ?? 0) >= start + 5 }
        try await interviewer.click("#record")
        #expect(try await interviewer.waitUntil("!document.getElementById('recording-download').hidden"))
        // The recorder stopped before its download appeared: the file can be no longer than this. The remote
        // picture's clock lags the wall's on a busy machine (seen: 5 s of it took 20 s), so the file is held
        // to the time the recording ran, not to 5 s.
        let ranSeconds = Date().timeIntervalSince(startedAt)
        #expect(try await candidate.waitUntil("document.getElementById('recording-badge').hidden"), "the notice goes when the recording stops")
        let pageMs = Double(try await interviewer.session.evaluate("document.getElementById('recording-download').dataset.durationMs").stringValue ?? "") ?? 0
        // The interviewer downloads it, as a person would.
        let downloads = (ProcessInfo.processInfo.environment["PROCTORD_TEST_ARTIFACTS"] ?? scratch.path) + "/call-downloads"
        try FileManager.default.createDirectory(atPath: downloads, withIntermediateDirectories: true)
        try await control.call("Browser.setDownloadBehavior", ["behavior": "allow", "downloadPath": .string(downloads)])
        let pageBytes = Int(try await interviewer.session.evaluate("document.getElementById('recording-download').dataset.bytes").stringValue ?? "") ?? 0
        try await interviewer.click("#recording-download")
        var file: String?
        let deadline = Date(timeIntervalSinceNow: 30)
        while file == nil, Date() < deadline {
            file = try FileManager.default.contentsOfDirectory(atPath: downloads).first {
                $0.hasSuffix(".webm") && (try? FileManager.default.attributesOfItem(atPath: downloads + "/" + $0)[.size] as? Int) == pageBytes
            }
            if file == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        let webm = downloads + "/" + (try #require(file, "the recording (\(pageBytes) bytes) was downloaded"))
        #expect(pageBytes > 10_000, "a recording of \(pageBytes) bytes")
        let streams = try await Shell.run("ffprobe", ["-v", "error", "-show_entries", "stream=codec_type,codec_name", "-of", "csv=p=0", webm])
        #expect(streams.contains("video") && streams.contains("audio"), "both the picture and the mixed voices: \(streams)")
        // MediaRecorder writes no duration in the header: the last packet's time is the length a player shows.
        // The picture's own last frame can come earlier on a starved machine (the encoder drops canvas frames
        // under load; seen 2.6 s short of 5 s at load 5, and at 9.6 s of 23 s under the stressed test suite).
        func lastPacket(_ stream: String) async throws -> Double {
            let times = try await Shell.run("ffprobe", ["-v", "error", "-select_streams", stream, "-show_entries", "packet=pts_time", "-of", "default=nw=1:nk=1", webm])
            return times.split(separator: "\n").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }.max() ?? 0
        }
        let seconds = max(try await lastPacket("v:0"), try await lastPacket("a:0")), pictureSeconds = try await lastPacket("v:0")
        #expect(seconds > 4 && seconds < ranSeconds + 0.5, "a recording of 5 s of the call or more, done within \(ranSeconds) s, lasts \(seconds) s")
        // The page times start() to stop(); the recorder stops a little later (seconds later when starved:
        // 2.2 s seen), so the file is at least as long as the page says, less the first frame's wait.
        #expect(seconds > pageMs / 1000 - 1.5, "the file's length \(seconds) s covers the page's \(pageMs) ms")
        // Under the stressed suite the canvas's frames stopped at 2.5 s of a file of over 8 s (the recorder's
        // picture starves; noted, not solved): what must hold on any machine is a picture at all.
        #expect(pictureSeconds > 1, "the picture is recorded: its last frame at \(pictureSeconds) s of \(seconds) s")
        let decode = try await Shell.runWithStatus("ffmpeg", ["-nostdin", "-v", "error", "-xerror", "-i", webm, "-f", "null", "-"])
        #expect(decode.status == 0, "every frame decodes")
    }

    /// A third page with the interviewee's link, in a new tab (its own
    /// sessionStorage: another peer), is refused and says why.
    func thirdPageIsRefused(_ link: String, browser: Chromium) async throws {
        let third = try await CallPage.open(link, in: browser, name: "third", scratch: scratch.path)
        #expect(try await third.waitForStep("devices"))
        try await third.clickWhenEnabled("#devices-continue")
        #expect(try await third.waitUntil("document.querySelector('#agent-root [data-action=without]')"))
        try await third.click("#agent-root [data-action=without]")
        #expect(try await third.waitForStep("join"))
        try await third.click("#join")
        #expect(try await third.waitUntil("document.body.dataset.ended === 'true'"))
        let said = try await third.text("#call-ended-text")
        #expect(said.contains("already has an interviewee"), "\(said)")
        try await third.screenshot("refused", doc: true)
    }

    /// The start page says, in words, why a code is refused: a wrong
    /// interviewer secret, an expired room, a code that matches nothing.
    @Test func theStartPageExplainsRefusedCodes() async throws {
        let server = try await CallServerProcess()
        let room = try await server.createRoom(title: "Refusals")
        let code = try #require(room["codes"]?["interviewer"]?.stringValue, "\(room)")
        let expired = try await server.createRoom(title: "Over", startsAt: Date(timeIntervalSinceNow: -7200), minutes: 30)
        let expiredCode = try #require(expired["codes"]?["interviewee"]?.stringValue, "\(expired)")
        let browser = try await Chromium.launch(extraArguments: fakeMediaSwitches)

        let interviewer = try await CallPage.open("\(server.origin)/interviewer#code=\(code)&secret=wrong", in: browser, name: "interviewer", scratch: scratch.path)
        #expect(try await interviewer.waitUntil("!document.getElementById('start-error').hidden"))
        #expect(try await interviewer.text("#start-error").contains("secret is missing or not right"))
        #expect(try await interviewer.session.evaluate("location.hash") == "", "the secret leaves the address bar")
        try await interviewer.screenshot("wrong-secret")

        let candidate = try await CallPage.open("\(server.origin)/#code=\(expiredCode)", in: browser, name: "interviewee", scratch: scratch.path)
        #expect(try await candidate.waitUntil("!document.getElementById('start-error').hidden"))
        #expect(try await candidate.text("#start-error").contains("This interview is over"))
        try await candidate.screenshot("expired", doc: true)

        try await candidate.session.evaluate("document.getElementById('code').value = 'ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZ'; true")
        try await candidate.click("#start-submit")
        #expect(try await candidate.waitUntil("document.getElementById('start-error').textContent.includes('does not belong to any interview')"))
        #expect(try await candidate.waitForStep("start"), "still at the start")
        withExtendedLifetime(server) {}
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for element in self { out.append(try await transform(element)) }
        return out
    }
}
