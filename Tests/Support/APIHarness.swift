import Foundation
import Logging
import ProctorAPI
import ProctorHost
import ProctorJSON
import Synchronization

/// A real agent with its local API on a free port, in this process, with
/// real plugin children: what the API tests and benchmarks talk to.
public final class APIHarness: @unchecked Sendable {
    public let agent: Agent
    public let server: APIServer
    public let port: Int
    public let directory = TemporaryDirectory("proctord-api")
    /// The API's wall clock; `advanceClock` moves it.
    public let clock = ShiftedClock()
    private let serving: Task<Void, any Error>
    private let running: Task<Void, Never>

    public init(
        allowedOrigins: [String] = [], thinTopics: [String] = ["gaze.sample"], tokenLifetime: Int = 3600,
        _ build: (inout ConfigBuilder) -> Void
    ) async throws {
        var builder = ConfigBuilder()
        builder.api = ["port": 0, "allowed_origins": .array(allowedOrigins.map(JSONValue.string)),
                       "token_lifetime_s": .number(Double(tokenLifetime)), "thin_topics": .array(thinTopics.map(JSONValue.string))]
        build(&builder)
        let config = try ConfigLoader.load(file: builder.write(to: directory))
        let paths = try AgentPaths.isolated(in: directory)
        agent = Agent(config: config, paths: paths, logger: .silent, executable: TestBuild.proctord)
        try await agent.start()
        let server = APIServer(agent: agent, config: config.api, paths: paths, logger: .silent, clock: clock.seconds)
        self.server = server
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        serving = Task { try await server.run { continuation.yield($0) } }
        running = Task { [agent] in await agent.runUntilCancelled() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw WebSocketTestClient.Failure(description: "the API did not start") }
        self.port = port
        // Tests start talking once every plugin has started.
        // (A plugin that loads large models, like gaze, may take seconds on a busy machine.)
        for supervisor in await agent.supervisors.values {
            _ = await eventually(timeout: .seconds(60)) { await supervisor.state.name != .starting }
        }
    }

    /// Moves the API's wall clock, to expire tokens and codes without waiting,
    /// and has the API look at its deadlines again (it sleeps until the next).
    public func advanceClock(seconds: Int) {
        clock.advance(seconds: seconds)
        server.recheckDeadlines()
    }

    /// The agent's own origin, always allowed.
    public var ownOrigin: String { "http://127.0.0.1:\(port)" }

    public var pairingCode: String { server.services.pairing.current().code }

    /// A client that connected and read the hello; returns it and the hello.
    public func connect(origin: String? = nil) async throws -> (WebSocketTestClient, JSONValue) {
        try await Pairing.connect(port: port, origin: origin ?? ownOrigin)
    }

    /// A client paired with the current code and subscribed to `topics`;
    /// returns it with the `identified` data.
    public func paired(topics: [String] = [], origin: String? = nil, resume: JSONValue? = nil, clientName: String = "test")
        async throws -> (WebSocketTestClient, JSONValue)
    {
        try await Pairing.pair(port: port, code: pairingCode, origin: origin ?? ownOrigin, topics: topics, resume: resume, clientName: clientName)
    }

    public static func identify(auth: JSONValue, topics: [String], resume: JSONValue? = nil, clientName: String = "test") -> String {
        Pairing.identify(auth: auth, topics: topics, resume: resume, clientName: clientName)
    }

    /// `method` with `params` sent to `plugin` directly, as the host would; its answer parsed.
    public func request(_ plugin: String, _ method: String, _ params: JSONValue? = nil) async throws -> JSONValue {
        try await agent.request(plugin, method, params)
    }

    /// The marker the screen plugin looks for in the call page's title.
    public func screenMarker() async throws -> String? {
        try await request("screen", "window_marker")["result"]?["marker"]?.stringValue
    }

    public func stop() async {
        serving.cancel()
        _ = try? await serving.value
        running.cancel()
        await running.value
    }
}

/// The wall clock plus an offset a test can move forward.
public final class ShiftedClock: Sendable {
    private let offset = Atomic<Int>(0)

    public init() {}

    public func advance(seconds: Int) { offset.add(seconds, ordering: .relaxed) }

    @Sendable public func seconds() -> Double { WallClock.seconds() + Double(offset.load(ordering: .relaxed)) }
}

/// The client side of the handshake, for tests and benchmarks.
public enum Pairing {
    public static func connect(port: Int, origin: String) async throws -> (WebSocketTestClient, JSONValue) {
        let client = try await WebSocketTestClient.connect(port: port, origin: origin)
        return (client, try await JSONParser.parse(client.receiveText()))
    }

    /// Connects, proves `code` and subscribes; returns the client and the `identified` data.
    public static func pair(
        port: Int, code: String, origin: String, topics: [String], resume: JSONValue? = nil, clientName: String = "test"
    ) async throws -> (WebSocketTestClient, JSONValue) {
        let (client, hello) = try await connect(port: port, origin: origin)
        let proof = PairingProof.make(code: code, challenge: hello["d"]?["challenge"]?.stringValue ?? "", origin: origin)
        try await client.send(identify(auth: ["pairing": .string(proof)], topics: topics, resume: resume, clientName: clientName))
        let identified = try await JSONParser.parse(client.receiveText())
        guard identified["op"] == "identified", let d = identified["d"] else {
            throw WebSocketTestClient.Failure(description: "pairing failed: \(identified)")
        }
        return (client, d)
    }

    public static func identify(auth: JSONValue, topics: [String], resume: JSONValue? = nil, clientName: String = "test") -> String {
        var d: JSONObject = ["protocol": 1, "client": ["name": .string(clientName)], "auth": auth,
                             "subscribe": .array(topics.map(JSONValue.string))]
        if let resume { d["resume"] = resume }
        return JSONWriter.compact(["op": "identify", "d": .object(d)])
    }
}
