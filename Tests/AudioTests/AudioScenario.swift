import Foundation
import ProctorHost
import ProctorJSON
import ProctorTestSupport
import Testing

/// Every audio test runs inside this suite, one at a time: each starts its
/// own PulseAudio daemon and agent, and on a small machine their timings
/// must not compete.
@Suite(.serialized) enum AudioIntegrationTests {}

/// One test's world: a private PulseAudio daemon (a null sink, no sound card
/// here), a real agent supervising the audio plugin as a child process
/// pointed at that daemon, and the events the agent publishes.
final class AudioScenario: @unchecked Sendable {
    let pulse: PulseAudioServer
    let agent: Agent
    let log: EventLog
    let directory: TemporaryDirectory

    /// Starts the daemon (unless `daemon` is false: the plugin then finds no
    /// server) and an agent with the audio plugin; returns once it runs.
    static func start(config extra: JSONObject = [:], daemon: Bool = true) async throws -> AudioScenario {
        let directory = TemporaryDirectory("proctord-audio")
        let pulse = try PulseAudioServer(directory: directory, startNow: daemon)
        var config: JSONObject = ["server": .string(pulse.server), "reconnect_max_ms": 500]
        for (key, value) in extra.members { config[key] = value }
        var builder = ConfigBuilder()
        builder.add(id: "audio", library: "audio", config: .object(config))
        let loaded = try ConfigLoader.load(file: builder.write(to: directory))
        var paths = AgentPaths.fromEnvironment()
        paths.stateDirectory = directory.path + "/state"
        let agent = Agent(config: loaded, paths: paths, logger: .silent, executable: TestBuild.proctord)
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

    private init(pulse: PulseAudioServer, agent: Agent, log: EventLog, directory: TemporaryDirectory) {
        self.pulse = pulse
        self.agent = agent
        self.log = log
        self.directory = directory
    }

    /// The seq of the newest event the bus published so far.
    var lastSeq: UInt64 { agent.bus.nextSeq - 1 }

    func request(_ method: String, _ params: JSONValue? = nil) async throws -> JSONValue {
        var request: JSONObject = ["method": .string(method)]
        if let params { request["params"] = params }
        let supervisor = try #require(await agent.supervisor("audio"))
        return try JSONParser.parse(await supervisor.request(JSONWriter.compact(.object(request))))
    }

    /// Waits for a `topic` event after `seq` whose data satisfies `match`.
    func waitFor(
        _ topic: String, after seq: UInt64 = 0, timeout: Duration = .seconds(15), _ match: @escaping (JSONValue) -> Bool = { _ in true }
    ) async -> (event: Event, data: JSONValue)? {
        await log.waitFor(topic, after: seq, timeout: timeout, match)
    }

    /// The data of every `topic` event after `seq`, in order.
    func events(_ topic: String, after seq: UInt64 = 0) -> [JSONValue] {
        log.data(topic, after: seq)
    }

    /// Every published event checked against docs/topics.json.
    func schemaProblems() throws -> [String] { try log.schemaProblems() }

    func stop() async {
        await agent.stopAll()
        pulse.stop()
    }
}
