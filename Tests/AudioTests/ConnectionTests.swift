import Foundation
import ProctorJSON
import ProctorTestSupport
import Testing

extension AudioIntegrationTests {
    /// No sound server is `degraded`, not a failure; a server that goes away
    /// and comes back is followed without restarting the plugin.
    @Suite struct ConnectionTests {
        @Test(arguments: SoundServerKind.allCases)
        func noSoundServerIsDegradedAndItsArrivalIsNoticed(server: SoundServerKind) async throws {
            let scenario = try await AudioScenario.start(server, daemon: false)
            let degraded = try #require(scenario.log.states(of: "audio").last)
            #expect(degraded["reason"]?.stringValue?.hasPrefix("no sound server \(scenario.pulse.server): ") == true, "\(degraded)")
            let mark = scenario.lastSeq
            try scenario.pulse.start()
            #expect(await scenario.log.waitForState("audio", after: mark) { $0["state"] == "running" } != nil,
                    "\(scenario.log.states(of: "audio"))")
            let listed = try #require(await scenario.waitFor("audio.devices", after: mark) { $0["reason"] == "listed" })
            // pipewire-pulse answers before WirePlumber has chosen the defaults
            // when the plugin is quick: no default yet ("@DEFAULT_SOURCE@" is not
            // a name), then the choice.
            #expect([.null, .string(scenario.pulse.monitorName)].contains(listed.data["default_source"]), "\(listed.data)")
            #expect(await scenario.waitFor("audio.devices", after: mark) {
                $0["default_source"]?.stringValue == scenario.pulse.monitorName
            } != nil, "\(scenario.events("audio.devices", after: mark).map { $0["default_source"] })")
            #expect(try scenario.schemaProblems() == [])
            await scenario.stop()
        }

        /// PipeWire: pipewire-pulse alone dies first (the daemon and its sink
        /// stay), then all of PipeWire.
        @Test(arguments: SoundServerKind.allCases)
        func aDaemonThatDiesAndComesBackIsSurvived(server: SoundServerKind) async throws {
            let scenario = try await AudioScenario.start(server)
            let pid = await scenario.agent.supervisor("audio")?.pid
            for round in 1...2 {
                let before = scenario.lastSeq
                if round == 1, let pipewire = scenario.pulse as? PipeWireServer {
                    pipewire.crashPulse()
                } else {
                    scenario.pulse.crash()
                }
                let degraded = try #require(await scenario.log.waitForState("audio", after: before) { $0["state"] == "degraded" },
                                            "round \(round): \(scenario.log.states(of: "audio"))")
                #expect(degraded.1["reason"]?.stringValue?.hasPrefix("sound server \(scenario.pulse.server) went away") == true,
                        "round \(round): \(degraded.1)")
                let mark = scenario.lastSeq
                try scenario.pulse.start()
                let back = try #require(await scenario.log.waitForState("audio", timeout: .seconds(20), after: mark) { $0["state"] == "running" },
                                        "round \(round): did not recover")
                #expect(back.1["restarts"] == 0)
                #expect(await scenario.waitFor("audio.devices", after: mark) { $0["reason"] == "listed" } != nil)
            }
            #expect(await scenario.agent.supervisor("audio")?.pid == pid, "the same child throughout: nothing crashed")
            // Stopping while the server is gone does not hang.
            scenario.pulse.crash()
            let started = ContinuousClock.now
            await scenario.agent.stopAll()
            #expect(ContinuousClock.now - started < .seconds(4))
            #expect(try scenario.schemaProblems() == [])
        }
    }
}
