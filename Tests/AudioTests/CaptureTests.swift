import Foundation
import ProctorJSON
import ProctorTestSupport
import Testing

extension AudioIntegrationTests {
    /// Every program that records is reported, with who it is and what it records.
    @Suite struct CaptureTests {
        @Test(arguments: SoundServerKind.allCases)
        func aRecordingProgramIsReportedUntilItEnds(server: SoundServerKind) async throws {
            let scenario = try await AudioScenario.start(server)
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

        /// A browser recording the page's microphone is marked as the call page's
        /// candidate; the same browser recording a monitor is not. The browser is
        /// parec dressed as chromium: libpulse takes client properties from
        /// PULSE_PROP before filling in its own (there is no browser capture here).
        @Test(arguments: SoundServerKind.allCases)
        func aBrowserRecordingThePagesMicrophoneIsACandidate(server: SoundServerKind) async throws {
            let scenario = try await AudioScenario.start(server)
            let before = scenario.lastSeq
            _ = try scenario.pulse.loadModule("module-remap-source", "source_name=mic master=\(scenario.pulse.monitorName)")
            // The plugin learns of the new source from the server's event, after pactl returns.
            #expect(await scenario.waitFor("audio.devices", after: before) { $0["reason"] == "added" && $0["device"]?["name"] == "mic" } != nil)
            #expect(try await scenario.request("use_source", ["label": "mic"])["result"]?["source"] == "mic")
            var mark = scenario.lastSeq
            let page = try scenario.pulse.spawn("/usr/bin/env", ["PULSE_PROP=application.process.binary=chromium application.name=Chromium",
                                                                 "/usr/bin/parec", "--device=mic", "/dev/null"], log: "page.log")
            let seen = try #require(await scenario.waitFor("audio.capture", after: mark) { $0["pid"]?.intValue == Int(page.pid) })
            #expect(seen.data["binary"] == "chromium" && seen.data["call_page_candidate"] == true, "\(seen.data)")
            mark = scenario.lastSeq
            let spy = try scenario.pulse.spawn("/usr/bin/env", ["PULSE_PROP=application.process.binary=chromium",
                                                                "/usr/bin/parec", "--device=\(scenario.pulse.monitorName)", "/dev/null"], log: "spy.log")
            let other = try #require(await scenario.waitFor("audio.capture", after: mark) { $0["pid"]?.intValue == Int(spy.pid) })
            #expect(other.data["call_page_candidate"] == false && other.data["source_is_monitor"] == true)
            page.crash()
            spy.crash()
            #expect(try scenario.schemaProblems() == [])
            await scenario.stop()
        }

        /// A native PipeWire program (pw-record, as OBS or a PipeWire-native
        /// assistant would record) has no process id or binary on its stream
        /// under pipewire-pulse, only on its client: the plugin looks them up.
        @Test func aNativePipeWireRecorderIsReportedWithItsProcess() async throws {
            let scenario = try await AudioScenario.start(.pipewire)
            let mark = scenario.lastSeq
            let recorder = try scenario.pulse.spawn("/usr/bin/pw-record", ["--target", scenario.pulse.sinkName,
                                                                           scenario.directory.path + "/recorded.wav"], log: "pw-record.log")
            let started = try #require(await scenario.waitFor("audio.capture", after: mark) { $0["state"] == "started" },
                                       "no capture seen: \(scenario.events("audio.capture"))")
            #expect(started.data["pid"]?.intValue == Int(recorder.pid), "\(started.data)")
            // pw-record is pw-cat under another name, as parec is pacat.
            #expect(started.data["application"] == "pw-record" && started.data["binary"] == "pw-cat", "\(started.data)")
            #expect(started.data["source"]?.stringValue == scenario.pulse.monitorName && started.data["source_is_monitor"] == true)
            recorder.crash()
            let stopped = try #require(await scenario.waitFor("audio.capture", after: started.event.seq) { $0["state"] == "stopped" })
            #expect(stopped.data["index"] == started.data["index"] && stopped.data["reason"] == "ended")
            #expect(try scenario.schemaProblems() == [])
            await scenario.stop()
        }
    }
}
