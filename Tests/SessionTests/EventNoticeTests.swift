import ProctorJSON
import Testing
@testable import ProctorHost

/// Which events become a notice for the interviewee, on their own.
@Suite struct EventNoticeTests {
    let stranger: JSONValue = ["state": "started", "index": 4, "application": "OBS Studio", "binary": "obs", "pid": 4242,
                               "source": "alsa_input.usb", "source_is_monitor": false, "module": .null, "call_page_candidate": false]

    @Test func aStrangerRecordingTheMicrophoneIsToldWithItsName() throws {
        let notice = try #require(EventNotices.notice(topic: "audio.capture", data: stranger))
        #expect(notice.title == "Another program started recording your microphone")
        #expect(notice.body.hasPrefix("OBS Studio (process 4242) is recording"))
        #expect(notice.key == "audio.capture.obs")
    }

    @Test func aStrangerListeningToTheSoundOutputIsNotSaidToRecordTheMicrophone() throws {
        guard case .object(var object) = stranger else { return }
        object["source"] = "alsa_output.pci.monitor"
        object["source_is_monitor"] = true
        let notice = try #require(EventNotices.notice(topic: "audio.capture", data: .object(object)))
        #expect(notice.title == "Another program started listening to your computer's sound output")
        #expect(notice.body.hasPrefix("OBS Studio (process 4242) is listening to your computer's sound output"))
        #expect(!notice.title.contains("microphone") && !notice.body.contains("microphone"), "\(notice)")
        #expect(notice.key != "audio.capture.obs", "a microphone notice later is another notice")
    }

    @Test func theCallPageAModuleAndAStopAreNotNotices() {
        func with(_ key: String, _ value: JSONValue) -> JSONValue {
            guard case .object(var object) = stranger else { return stranger }
            object[key] = value
            return .object(object)
        }
        #expect(EventNotices.notice(topic: "audio.capture", data: with("call_page_candidate", true)) == nil)
        #expect(EventNotices.notice(topic: "audio.capture", data: with("module", "module-remap-source.c")) == nil)
        #expect(EventNotices.notice(topic: "audio.capture", data: with("state", "stopped")) == nil)
        #expect(EventNotices.notice(topic: "screen.reactivated", data: ["result": "failed"]) == nil)
        #expect(EventNotices.notice(topic: "screen.reactivated", data: ["result": "restored"])?.key == "screen.restored")
    }

    @Test func theInterviewsStartAndEndAreOneNoticeEach() throws {
        let started = try #require(EventNotices.notice(topic: "interview.started", data: ["interview": "i_1", "title": "Backend, round 2"]))
        #expect(started.title == "Your interview has started" && started.body.contains("(Backend, round 2)") && started.key == "interview.started.i_1")
        let ended = try #require(EventNotices.notice(topic: "interview.ended", data: ["interview": "i_1", "reason": "request"]))
        #expect(ended.title == "Your interview has ended" && ended.key == "interview.ended.i_1")
    }
}
