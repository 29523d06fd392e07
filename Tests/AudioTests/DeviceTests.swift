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

        /// What made the null sink: PulseAudio's module, or PipeWire's node factory.
        static func nullSinkMaker(_ server: SoundServerKind) -> String {
            server == .pulseaudio ? "module-null-sink" : "support.null-audio-sink"
        }

        @Test(arguments: SoundServerKind.allCases)
        func theListingMarksTheNullSinkMonitorVirtual(server: SoundServerKind) async throws {
            let scenario = try await AudioScenario.start(server)
            // Connected (what start waits for) comes before the listing reaches the log: wait for it.
            let listed = try #require(await scenario.waitFor("audio.devices") { $0["reason"] == "listed" }?.data)
            let monitor = try #require(Self.source(listed, named: scenario.pulse.monitorName), "\(listed)")
            #expect(monitor["virtual"] == true && monitor["monitor"] == true)
            #expect(monitor["module"]?.stringValue == Self.nullSinkMaker(server) && monitor["monitor_of"]?.stringValue == scenario.pulse.sinkName)
            let sink = try #require(listed["sinks"]?.arrayValue?.first { $0["name"]?.stringValue == scenario.pulse.sinkName })
            #expect(sink["virtual"] == true && sink["module"]?.stringValue == Self.nullSinkMaker(server))
            #expect(listed["default_sink"]?.stringValue == scenario.pulse.sinkName)
            let devices = try await scenario.request("input_devices")
            #expect(Self.source(try #require(devices["result"]), named: scenario.pulse.monitorName) == monitor)
            await scenario.stop()
        }

        /// pipewire-pulse answers PulseAudio's module commands with modules of its
        /// own that make PipeWire nodes: the same events, the factory's name for
        /// a null sink, the module's for a remap source.
        @Test(arguments: SoundServerKind.allCases)
        func loadingAndUnloadingModulesProducesDeviceEvents(server: SoundServerKind) async throws {
            let scenario = try await AudioScenario.start(server)
            var mark = scenario.lastSeq
            let sink = try scenario.pulse.loadModule("module-null-sink", "sink_name=second_sink")
            let addedSink = try #require(await scenario.waitFor("audio.devices", after: mark) {
                $0["reason"] == "added" && $0["device"]?["name"] == "second_sink"
            }, "\(scenario.events("audio.devices", after: mark))")
            #expect(addedSink.data["device"]?["kind"] == "sink" && addedSink.data["device"]?["virtual"] == true)
            #expect(addedSink.data["device"]?["module"]?.stringValue == Self.nullSinkMaker(server), "\(addedSink.data)")
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

            // The remap source records its master like a program would: reported,
            // with the module. PulseAudio's records from the start; PipeWire's
            // stream is linked to its master (records) only while someone
            // records the remap source, so a parec does here, on both.
            let listener = try scenario.pulse.spawn("/usr/bin/parec", ["--device=voice_changer", "/dev/null"], log: "listener.log")
            let remapCapture = try #require(await scenario.waitFor("audio.capture", after: mark) {
                $0["state"] == "started" && $0["module"] == "module-remap-source"
            }, "\(scenario.events("audio.capture", after: mark))")
            #expect(remapCapture.data["source"] == "second_sink.monitor" && remapCapture.data["source_is_monitor"] == true, "\(remapCapture.data)")
            listener.crash()

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
    @Test(arguments: SoundServerKind.allCases)
    func thePageChoosesTheSourceByItsLabel(server: SoundServerKind) async throws {
        let scenario = try await AudioScenario.start(server)
        _ = try scenario.pulse.loadModule("module-null-sink", "sink_name=headset sink_properties=device.description=Headset")
        // Two devices of one model, as two identical USB headsets are: one description for both.
        for twin in ["twin_a", "twin_b"] {
            _ = try scenario.pulse.loadModule("module-null-sink", "sink_name=\(twin) sink_properties=device.description=Twin")
        }
        for name in ["headset.monitor", "twin_a.monitor", "twin_b.monitor"] {
            #expect(await scenario.waitFor("audio.devices") { $0["device"]?["name"]?.stringValue == name } != nil, "\(name) not seen")
        }
        let inputs = try #require(try await scenario.request("input_devices")["result"])
        let label = try #require(Self.source(inputs, named: "headset.monitor")?["description"]?.stringValue)
        // The twins share their description: naming it is ambiguous.
        let shared = try #require(Self.source(inputs, named: "twin_a.monitor")?["description"])
        #expect(Self.source(inputs, named: "twin_b.monitor")?["description"] == shared)
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

extension AudioIntegrationTests.DeviceTests {
    /// Virtual microphones made the PipeWire way, not through PulseAudio's
    /// modules: a null-audio-sink node made a source with pw-cli (how the
    /// usual "virtual microphone" recipes do it), the same node claiming
    /// device.api=alsa (which makes pipewire-pulse flag it as hardware), and
    /// pw-loopback's virtual source. All are virtual; the first two name
    /// their factory, the loopback has neither factory nor module to name.
    @Test func pipeWireVirtualNodesAreVirtual() async throws {
        let scenario = try await AudioScenario.start(.pipewire)
        let mark = scenario.lastSeq
        for (name, extra) in [("virtual_mic", ""), ("fake_card", "device.api=alsa ")] {
            try scenario.pulse.run("/usr/bin/pw-cli", ["create-node", "adapter", """
                { factory.name=support.null-audio-sink node.name=\(name) media.class=Audio/Source/Virtual \(extra)\
                object.linger=true audio.position=[MONO] }
                """])
        }
        let loopback = try scenario.pulse.spawn("/usr/bin/pw-loopback", [
            "--capture-props=media.class=Audio/Sink node.name=changer_in", "--playback-props=media.class=Audio/Source node.name=changer_out",
        ], log: "pw-loopback.log")
        var seen: [String: JSONValue] = [:]
        for name in ["virtual_mic", "fake_card", "changer_out"] {
            let added = try #require(await scenario.waitFor("audio.devices", after: mark) {
                $0["reason"] == "added" && $0["device"]?["name"]?.stringValue == name
            }, "\(name) not seen: \(scenario.events("audio.devices", after: mark).compactMap { $0["device"]?["name"] })")
            seen[name] = added.data["device"]
        }
        #expect(seen["virtual_mic"]?["virtual"] == true && seen["virtual_mic"]?["module"] == "support.null-audio-sink", "\(seen)")
        #expect(seen["fake_card"]?["virtual"] == true && seen["fake_card"]?["module"] == "support.null-audio-sink", "\(seen)")
        #expect(seen["changer_out"]?["virtual"] == true && seen["changer_out"]?["module"] == .null, "\(seen)")
        let removedMark = scenario.lastSeq
        loopback.crash()
        #expect(await scenario.waitFor("audio.devices", after: removedMark) {
            $0["reason"] == "removed" && $0["device"]?["name"] == "changer_out"
        } != nil)
        #expect(try scenario.schemaProblems() == [])
        await scenario.stop()
    }
}
