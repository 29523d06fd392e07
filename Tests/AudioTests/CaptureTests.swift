import Foundation
import ProctorJSON
import ProctorTestSupport
import Testing

extension AudioIntegrationTests {
    /// Every program that records is reported, with who it is and what it records.
    @Suite struct CaptureTests {
        @Test func aRecordingProgramIsReportedUntilItEnds() async throws {
            let scenario = try await AudioScenario.start()
            let mark = scenario.lastSeq
            // Records the monitor of the sink, as a transcription assistant listening to the interviewer would.
            let parec = try scenario.pulse.spawn("/usr/bin/parec", ["--device=\(scenario.pulse.monitorName)", "/dev/null"], log: "parec.log")
            let started = try #require(await scenario.waitFor("audio.capture", after: mark) { $0["state"] == "started" },
                                       "no capture seen: \(scenario.events("audio.capture"))")
            // parec runs under setpriv and env, which exec it: the pid is the one we started.
            #expect(started.data["pid"]?.intValue == Int(parec.pid))
            // parec is pacat under another name: the binary says pacat, the application parec.
            #expect(started.data["binary"]?.stringValue == "pacat")
            #expect(started.data["application"]?.stringValue == "parec")
            #expect(started.data["module"] == .null)
            #expect(started.data["source"]?.stringValue == scenario.pulse.monitorName)
            #expect(started.data["source_is_monitor"] == true)
            #expect(started.data["call_page_candidate"] == false)
            let index = try #require(started.data["index"])
            let status = try await scenario.request("status")
            #expect(status["result"]?["captures"] == 1, "the plugin's own stream is not counted: \(status)")
            parec.crash()
            let stopped = try #require(await scenario.waitFor("audio.capture", after: started.event.seq) { $0["state"] == "stopped" })
            #expect(stopped.data["index"] == index && stopped.data["reason"] == "ended")
            #expect(stopped.data["pid"]?.intValue == Int(parec.pid))
            #expect(try scenario.schemaProblems() == [])
            await scenario.stop()
        }
    }
}
