import Foundation
import ProctorHost
import ProctorJSON
import ProctorTestSupport
import Testing

/// Every audio test runs inside this suite, one at a time: each starts its
/// own sound server and agent, and on a small machine their timings must
/// not compete.
@Suite(.serialized) enum AudioIntegrationTests {}

/// One test's world: a private sound server (PulseAudio, or PipeWire with
/// pipewire-pulse; a null sink, no sound card here), a real agent
/// supervising the audio plugin as a child process pointed at that server,
/// and the events the agent publishes.
final class AudioScenario: AgentScenario, @unchecked Sendable {
    /// The sound server, which the plugin reaches through libpulse.
    let pulse: any TestSoundServer
    let agent: Agent
    let log: EventLog
    let directory: TemporaryDirectory

    /// Starts a `server` (unless `daemon` is false: the plugin then finds no
    /// server) and an agent with the audio plugin; returns once it runs.
    static func start(_ server: SoundServerKind = .pulseaudio, config extra: JSONObject = [:], daemon: Bool = true) async throws -> AudioScenario {
        let directory = TemporaryDirectory("proctord-audio")
        let pulse = try server.make(directory: directory, startNow: daemon)
        var config: JSONObject = ["server": .string(pulse.server), "reconnect_max_ms": 500]
        for (key, value) in extra.members { config[key] = value }
        var builder = ConfigBuilder()
        builder.add(id: "audio", library: "audio", config: .object(config))
        let agent = try makeAgent(builder, in: directory)
        let scenario = AudioScenario(pulse: pulse, agent: agent, log: EventLog(bus: agent.bus), directory: directory)
        try await agent.start()
        let wanted = daemon ? "running" : "degraded"
        guard await scenario.log.waitForState("audio", { $0["state"]?.stringValue == wanted }) != nil else {
            await scenario.stop()
            throw HarnessError("the audio plugin did not reach \(wanted): \(scenario.log.states(of: "audio"))")
        }
        if daemon {
            guard await eventually(timeout: .seconds(15), { (try? await scenario.request("status"))?["result"]?["connected"] == true }) else {
                await scenario.stop()
                throw HarnessError("the audio plugin did not connect: \(scenario.log.states(of: "audio"))")
            }
        }
        return scenario
    }

    private init(pulse: any TestSoundServer, agent: Agent, log: EventLog, directory: TemporaryDirectory) {
        self.pulse = pulse
        self.agent = agent
        self.log = log
        self.directory = directory
    }

    /// `method` sent to the audio plugin.
    func request(_ method: String, _ params: JSONValue? = nil) async throws -> JSONValue {
        try await request("audio", method, params)
    }

    func stop() async {
        await agent.stopAll()
        pulse.stop()
    }
}
