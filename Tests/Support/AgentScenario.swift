import Foundation
import ProctorHost
import ProctorJSON

/// A test's real agent and the events it publishes: what the plugin
/// scenarios (X11, audio) share. Each scenario adds its own world (a
/// desktop, a sound server) and conforms.
public protocol AgentScenario: AnyObject, Sendable {
    var agent: Agent { get }
    var log: EventLog { get }
}

extension AgentScenario {
    /// An agent (not started) with the plugins `builder` holds, its state in
    /// `directory`: never the real user's.
    public static func makeAgent(_ builder: ConfigBuilder, in directory: TemporaryDirectory) throws -> Agent {
        let config = try ConfigLoader.load(file: builder.write(to: directory))
        var paths = AgentPaths.fromEnvironment()
        paths.stateDirectory = directory.path + "/state"
        return Agent(config: config, paths: paths, logger: .silent, executable: TestBuild.proctord)
    }

    /// The seq of the newest event the bus published so far (the log may
    /// not have caught up yet): wait for what comes after it.
    public var lastSeq: UInt64 { agent.bus.nextSeq - 1 }

    /// `method` with `params` sent to `plugin`, its answer parsed.
    public func request(_ plugin: String, _ method: String, _ params: JSONValue? = nil) async throws -> JSONValue {
        try await agent.request(plugin, method, params)
    }

    /// Waits for a `topic` event after `seq` whose data satisfies `match`.
    public func waitFor(
        _ topic: String, after seq: UInt64 = 0, timeout: Duration = .seconds(15), _ match: @escaping (JSONValue) -> Bool = { _ in true }
    ) async -> (event: Event, data: JSONValue)? {
        await log.waitFor(topic, after: seq, timeout: timeout, match)
    }

    /// The data of every `topic` event after `seq`, in order.
    public func events(_ topic: String, after seq: UInt64 = 0) -> [JSONValue] { log.data(topic, after: seq) }

    /// Every published event checked against docs/topics.json.
    public func schemaProblems() throws -> [String] { try log.schemaProblems() }
}

extension Agent {
    /// `method` with `params` sent to `plugin` directly, as the host would; its answer parsed.
    public func request(_ plugin: String, _ method: String, _ params: JSONValue? = nil) async throws -> JSONValue {
        var request: JSONObject = ["method": .string(method)]
        if let params { request["params"] = params }
        guard let supervisor = supervisor(plugin) else { throw HarnessError("no plugin \(plugin) in the agent") }
        return try JSONParser.parse(await supervisor.request(JSONWriter.compact(.object(request))))
    }
}
