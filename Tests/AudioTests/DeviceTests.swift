import Foundation
import ProctorJSON
import ProctorTestSupport
import Testing

extension AudioIntegrationTests {
    /// Devices appearing and going, the default changing, and virtual devices marked as such.
    @Suite struct DeviceTests {
        static func source(_ data: JSONValue, named name: String) -> JSONValue? {
            data["sources"]?.arrayValue?.first { $0["name"]?.stringValue == name }
        }

        @Test func theListingMarksTheNullSinkMonitorVirtual() async throws {
            let scenario = try await AudioScenario.start()
            // Connected (what start waits for) comes before the listing reaches the log: wait for it.
            let listed = try #require(await scenario.waitFor("audio.devices") { $0["reason"] == "listed" }?.data)
            let monitor = try #require(Self.source(listed, named: scenario.pulse.monitorName), "\(listed)")
            #expect(monitor["virtual"] == true && monitor["monitor"] == true)
            #expect(monitor["module"] == "module-null-sink" && monitor["monitor_of"]?.stringValue == scenario.pulse.sinkName)
            #expect(listed["default_sink"]?.stringValue == scenario.pulse.sinkName)
            let devices = try await scenario.request("input_devices")
            #expect(Self.source(try #require(devices["result"]), named: scenario.pulse.monitorName) == monitor)
            await scenario.stop()
        }

        @Test func loadingAndUnloadingModulesProducesDeviceEvents() async throws {
            let scenario = try await AudioScenario.start()
            var mark = scenario.lastSeq
            let sink = try scenario.pulse.loadModule("module-null-sink", "sink_name=second_sink")
            let addedSink = try #require(await scenario.waitFor("audio.devices", after: mark) {
                $0["reason"] == "added" && $0["device"]?["name"] == "second_sink"
            }, "\(scenario.events("audio.devices", after: mark))")
            #expect(addedSink.data["device"]?["kind"] == "sink" && addedSink.data["device"]?["virtual"] == true)
            #expect(await scenario.waitFor("audio.devices", after: mark) {
                $0["reason"] == "added" && $0["device"]?["name"] == "second_sink.monitor" && $0["device"]?["virtual"] == true
            } != nil)

            mark = scenario.lastSeq
            let remap = try scenario.pulse.loadModule("module-remap-source", "source_name=voice_changer master=second_sink.monitor")
            let addedRemap = try #require(await scenario.waitFor("audio.devices", after: mark) {
                $0["reason"] == "added" && $0["device"]?["name"] == "voice_changer"
            }, "\(scenario.events("audio.devices", after: mark))")
            #expect(addedRemap.data["device"]?["virtual"] == true && addedRemap.data["device"]?["module"] == "module-remap-source")
            #expect(addedRemap.data["device"]?["monitor"] == false)

            // The remap source records its master like a program would: reported, with the module.
            let remapCapture = try #require(await scenario.waitFor("audio.capture", after: mark) { $0["state"] == "started" })
            #expect(remapCapture.data["module"] == "module-remap-source" && remapCapture.data["source"] == "second_sink.monitor")
            #expect(remapCapture.data["source_is_monitor"] == true)

            mark = scenario.lastSeq
            try scenario.pulse.pactl(["set-default-source", "second_sink.monitor"])
            // Loading the remap source may itself have made it the default (PulseAudio
            // prefers a real source to a monitor), and that event may come after the mark.
            #expect(await scenario.waitFor("audio.devices", after: mark) {
                $0["reason"] == "default_changed" && $0["default_source"] == "second_sink.monitor"
            } != nil, "\(scenario.events("audio.devices", after: mark).map { $0["default_source"] })")

            mark = scenario.lastSeq
            try scenario.pulse.unloadModule(remap)
            #expect(await scenario.waitFor("audio.devices", after: mark) {
                $0["reason"] == "removed" && $0["device"]?["name"] == "voice_changer"
            } != nil)
            mark = scenario.lastSeq
            try scenario.pulse.unloadModule(sink)
            let removed = try #require(await scenario.waitFor("audio.devices", after: mark) {
                $0["reason"] == "removed" && $0["device"]?["name"] == "second_sink"
            })
            #expect(removed.data["sinks"]?.arrayValue?.contains { $0["name"] == "second_sink" } == false)
            #expect(try scenario.schemaProblems() == [])
            await scenario.stop()
        }
    }
}

extension AudioIntegrationTests.DeviceTests {
    /// The page names the microphone it opened by the label the browser
    /// shows (PulseAudio's description); the plugin listens there.
    @Test func thePageChoosesTheSourceByItsLabel() async throws {
        let scenario = try await AudioScenario.start()
        _ = try scenario.pulse.loadModule("module-null-sink", "sink_name=headset sink_properties=device.description=Headset")
        _ = try scenario.pulse.loadModule("module-null-sink", "sink_name=other")
        #expect(await scenario.waitFor("audio.devices") { $0["device"]?["name"] == "other.monitor" } != nil)
        let inputs = try #require(try await scenario.request("input_devices")["result"])
        let label = try #require(Self.source(inputs, named: "headset.monitor")?["description"]?.stringValue)
        // Two null sinks share the default description: naming it is ambiguous.
        let shared = try #require(Self.source(inputs, named: "other.monitor")?["description"])
        #expect(try await scenario.request("use_source", ["label": shared])["error"]?["code"] == "ambiguous_label")
        let mark = scenario.lastSeq
        let chosen = try await scenario.request("use_source", ["label": .string(label)])
        #expect(chosen["result"]?["source"] == "headset.monitor", "\(chosen)")
        // The page's microphone is a virtual device, and audio.devices says so.
        let listening = try #require(await scenario.waitFor("audio.devices", after: mark) { $0["reason"] == "voice_source_changed" })
        #expect(listening.data["voice_source"] == "headset.monitor")
        #expect(Self.source(listening.data, named: "headset.monitor")?["virtual"] == true)
        #expect(await eventually { (try? await scenario.request("status"))?["result"]?["voice"]?["source"] == "headset.monitor" })
        let unknown = try await scenario.request("use_source", ["label": "No Such Microphone"])
        #expect(unknown["error"]?["code"] == "no_such_source")
        _ = try await scenario.request("use_source", ["label": .null])
        #expect(await eventually { (try? await scenario.request("status"))?["result"]?["voice"]?["source"]?.stringValue == scenario.pulse.monitorName })
        await scenario.stop()
    }
}
