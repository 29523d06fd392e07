import Foundation
import ProctorAPI
import ProctorHost
import ProctorJSON
import ProctorTestSupport
import Testing

/// The local API over real sockets, against a real agent with a real
/// heartbeat child, from a plain (non-browser) client.
@Suite(.serialized) struct WebSocketAPITests {
    static let page = "https://meet.example.com"

    func harness(_ extra: (inout ConfigBuilder) -> Void = { _ in }, thinTopics: [String] = ["gaze.sample"]) async throws -> APIHarness {
        try await APIHarness(allowedOrigins: [Self.page], thinTopics: thinTopics) { config in
            config.add(id: "heartbeat", library: "heartbeat", config: ["interval_ms": 20])
            extra(&config)
        }
    }

    func json(_ text: String) throws -> JSONValue { try JSONParser.parse(text) }

    // MARK: before the upgrade

    @Test func refusesWrongHostsAndOriginsWith403AndTheReason() async throws {
        let api = try await harness()
        defer { Task { await api.stop() } }
        let cases: [(host: String?, origin: String?, reason: String)] = [
            ("evil.example:\(api.port)", Self.page, "host not allowed: evil.example:\(api.port)"),
            ("127.0.0.1:1", Self.page, "host not allowed: 127.0.0.1:1"),
            (nil, "https://other.example", "origin not allowed: https://other.example (the person at this computer can allow it on the agent's page, http://127.0.0.1:\(api.port)/, or with `proctord origins allow`)"),
            (nil, nil, "origin not allowed: no Origin header"),
            (nil, "null", "origin not allowed: null"),
            (nil, Self.page + "/", "origin not allowed: \(Self.page)/"),
        ]
        for (host, origin, reason) in cases {
            await #expect {
                try await WebSocketTestClient.connect(port: api.port, host: host, origin: origin)
            } throws: { error in
                guard let refused = error as? WebSocketTestClient.Refused else { return false }
                return refused.status == 403 && refused.body == reason
            }
        }
        // The allowed page and the agent's own origin get through, on IPv4 and IPv6.
        _ = try await WebSocketTestClient.connect(port: api.port, origin: Self.page)
        _ = try await WebSocketTestClient.connect(port: api.port, host: "[::1]:\(api.port)", origin: api.ownOrigin, address: "::1")
    }

    @Test func refusalsAreRateLimitedPerSource() async throws {
        let api = try await harness()
        defer { Task { await api.stop() } }
        var statuses: [Int] = []
        for _ in 0..<14 {
            do { _ = try await WebSocketTestClient.connect(port: api.port, origin: "https://hammer.example") } catch let refused as WebSocketTestClient.Refused {
                statuses.append(refused.status)
            }
        }
        #expect(statuses == Array(repeating: 403, count: 10) + Array(repeating: 429, count: 4))
        // Another source is not held back by the first.
        await #expect(throws: WebSocketTestClient.Refused.self) { try await WebSocketTestClient.connect(port: api.port, origin: "https://other.example") }
        do { _ = try await WebSocketTestClient.connect(port: api.port, origin: "https://other.example") } catch let refused as WebSocketTestClient.Refused {
            #expect(refused.status == 403)
        }
    }

    @Test func healthzAnswersWithoutRevealingMore() async throws {
        let api = try await harness()
        defer { Task { await api.stop() } }
        let (status, body) = try await HTTPGet.get(port: api.port, path: "/healthz")
        #expect(status == 200 && body == #"{"status":"ok"}"#)
        let (badStatus, badBody) = try await HTTPGet.get(port: api.port, path: "/healthz", host: "rebound.example:\(api.port)")
        #expect(badStatus == 403 && badBody == "host not allowed: rebound.example:\(api.port)")
    }

    @Test(.enabled(if: getuid() == 0, "needs root to become another user"))
    func anotherLocalUserIsClosedAtOnceWithNoAnswer() async throws {
        let api = try await harness()
        defer { Task { await api.stop() } }
        // curl's 52 ("empty reply from server") and 56 ("failure receiving",
        // a reset): the connection was made and closed unanswered. A connection
        // that could not be made, or a setpriv that failed, gives another status.
        let closedUnanswered: Set<Int32> = [52, 56]
        let (status, output) = try await Shell.runWithStatus("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "curl", "-s", "-i",
                                                                         "http://127.0.0.1:\(api.port)/healthz"])
        #expect(closedUnanswered.contains(status) && output.isEmpty, "another user's connection: curl \(status), \(output.prefix(200))")
        // The same user again, from the agent's own port on other loopback
        // addresses: the connection's two ports are then equal, and only the
        // addresses tell the client's socket from the agent's.
        for last in 2...9 {
            let sneaky = try await Shell.runWithStatus("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "curl", "-s", "-i",
                                                                  "--interface", "127.0.0.\(last)", "--local-port", "\(api.port)",
                                                                  "http://127.0.0.1:\(api.port)/local/status"])
            #expect(closedUnanswered.contains(sneaky.status) && sneaky.output.isEmpty, "from 127.0.0.\(last):\(api.port): curl \(sneaky.status), \(sneaky.output.prefix(200))")
        }
        // This user's own request still gets its answer.
        let (ownStatus, body) = try await HTTPGet.get(port: api.port, path: "/healthz")
        #expect(ownStatus == 200 && body == #"{"status":"ok"}"#)
    }

    // MARK: pairing and tokens

    @Test func pairingDeliversLiveEventsInSeqOrder() async throws {
        let api = try await harness()
        defer { Task { await api.stop() } }
        let (client, identified) = try await api.paired(topics: ["heartbeat.tick"], origin: Self.page)
        #expect(identified["session"]?.stringValue?.hasPrefix("s_") == true)
        #expect(identified["token"]?.stringValue?.count == 43)
        #expect(identified["subscribed"] == ["heartbeat.tick"])
        #expect(identified["resume"] == ["status": "none"])
        var seqs: [Int] = []
        while seqs.count < 5 {
            let message = try await json(client.receive(until: { $0.contains(#""op":"event""#) }))
            #expect(message["d"]?["topic"] == "heartbeat.tick" && message["d"]?["plugin"] == "heartbeat")
            seqs.append(message["d"]?["seq"]?.intValue ?? -1)
        }
        #expect(seqs == seqs.sorted() && Set(seqs).count == 5)
        #expect(seqs.first! >= identified["next_seq"]?.intValue ?? .max)
    }

    @Test func wrongCodesLockOutTheirOriginOnlyUntilThePersonEndsIt() async throws {
        let other = "https://other-platform.example"
        let api = try await APIHarness(allowedOrigins: [Self.page, other]) { _ in }
        defer { Task { await api.stop() } }
        let code = api.pairingCode
        let wrong = code == "000000" ? "111111" : "000000"
        func tryCode(_ code: String, from origin: String) async throws -> String {
            let (client, hello) = try await api.connect(origin: origin)
            let proof = PairingProof.make(code: code, challenge: hello["d"]!["challenge"]!.stringValue!, origin: origin)
            try await client.send(APIHarness.identify(auth: ["pairing": .string(proof)], topics: []))
            let answer = try await client.receive()
            if case .text(let text) = answer, text.contains(#""op":"identified""#) { return "identified" }
            guard case .close(let closeCode, let reason) = answer else { return "\(String(describing: answer))" }
            return "\(closeCode ?? 0) \(reason)"
        }
        var reasons: [String] = []
        for _ in 0..<6 { reasons.append(try await tryCode(wrong, from: Self.page)) }
        #expect(reasons == [
            "4003 wrong pairing code; 4 tries left", "4003 wrong pairing code; 3 tries left", "4003 wrong pairing code; 2 tries left",
            "4003 wrong pairing code; 1 try left", "4008 pairing locked for 60 s after too many wrong codes",
            "4008 pairing locked for 60 s after too many wrong codes",
        ])
        #expect(api.pairingCode == code, "a lock leaves the code the person may be typing")
        #expect(try await tryCode(code, from: Self.page).hasPrefix("4008 "), "even the right code waits out the lock")
        // The person at the machine sees which origin is locked.
        let status = try JSONParser.parse(try await HTTPGet.get(port: api.port, path: "/local/status").body)
        #expect(status["pairing"]?["locked"]?.arrayValue?.first?["origin"]?.stringValue == Self.page)
        // A page from another origin pairs all the same.
        #expect(try await tryCode(api.pairingCode, from: other) == "identified")
        // The agent's own page ends the lock (another site cannot: only its own Origin may).
        let forged = try HTTPGet.requestNow("POST", port: api.port, path: "/local/pairing/unlock", headers: ["Origin": Self.page])
        #expect(forged.status == 403)
        let unlocked = try HTTPGet.requestNow("POST", port: api.port, path: "/local/pairing/unlock", headers: ["Origin": api.ownOrigin])
        let unlockedOrigins = try JSONParser.parse(unlocked.body)["unlocked"]
        #expect(unlocked.status == 200 && unlockedOrigins == [.string(Self.page)])
        #expect(try await tryCode(api.pairingCode, from: Self.page) == "identified")
    }

    @Test func aProofMadeForAnotherOriginIsWorthless() async throws {
        let api = try await harness()
        defer { Task { await api.stop() } }
        let (client, hello) = try await api.connect(origin: Self.page)
        let proof = PairingProof.make(code: api.pairingCode, challenge: hello["d"]!["challenge"]!.stringValue!, origin: api.ownOrigin)
        try await client.send(APIHarness.identify(auth: ["pairing": .string(proof)], topics: []))
        #expect(try await client.receiveClose().code == 4003)
    }

    @Test func tokensReconnectExpireAndAreBoundToTheirOrigin() async throws {
        let api = try await harness()
        defer { Task { await api.stop() } }
        let (first, identified) = try await api.paired(origin: Self.page)
        try await first.sendClose()
        let token = try #require(identified["token"]?.stringValue)

        let (again, _) = try await api.connect(origin: Self.page)
        try await again.send(APIHarness.identify(auth: ["token": .string(token)], topics: []))
        let back = try await json(again.receiveText())
        #expect(back["op"] == "identified" && back["d"]?["session"] == identified["session"])

        let (elsewhere, _) = try await api.connect(origin: api.ownOrigin)
        try await elsewhere.send(APIHarness.identify(auth: ["token": .string(token)], topics: []))
        #expect(try await elsewhere.receiveClose() == (4003, "this token belongs to another origin"))

        api.advanceClock(seconds: 3601)
        let (late, _) = try await api.connect(origin: Self.page)
        try await late.send(APIHarness.identify(auth: ["token": .string(token)], topics: []))
        #expect(try await late.receiveClose() == (4004, "the token expired or was revoked: pair again"))
        // The connection made with the token while it was good ends with it.
        #expect(try await again.receiveClose() == (4004, "the session expired: pair again"))
    }

    @Test func revokingASessionClosesItsConnectionsAndItsToken() async throws {
        let api = try await harness()
        defer { Task { await api.stop() } }
        let (client, identified) = try await api.paired(topics: ["heartbeat.tick"], origin: Self.page)
        let session = try #require(identified["session"]?.stringValue)
        #expect(api.server.services.sessions.revoke(session) == [session])
        #expect(try await client.receiveClose().code == 4009)
        let (again, _) = try await api.connect(origin: Self.page)
        try await again.send(APIHarness.identify(auth: ["token": identified["token"]!], topics: []))
        #expect(try await again.receiveClose().code == 4004)
    }

    @Test func tokensSurviveAnAgentRestartButNotTheirFile() async throws {
        let directory = TemporaryDirectory()
        let registry = SessionRegistry(file: directory.path + "/sessions.json", lifetimeSeconds: 600)
        let (record, token) = registry.issue(origin: Self.page, clientName: "Acme")
        let attributes = try FileManager.default.attributesOfItem(atPath: directory.path + "/sessions.json")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let file = try String(contentsOfFile: directory.path + "/sessions.json", encoding: .utf8)
        #expect(!file.contains(token), "only the token's hash is stored")
        let restarted = SessionRegistry(file: directory.path + "/sessions.json", lifetimeSeconds: 600)
        #expect(try restarted.authenticate(token: token, origin: Self.page).get() == record)
        #expect(restarted.authenticate(token: token + "x", origin: Self.page) == .failure(.unknown))
    }

    // MARK: replay

    @Test func aReconnectingPageGetsEveryMissedEventWithoutAGap() async throws {
        let api = try await harness()
        defer { Task { await api.stop() } }
        let (first, identified) = try await api.paired(topics: ["*"], origin: Self.page)
        var lastSeq = 0
        while lastSeq < (identified["next_seq"]?.intValue ?? 0) + 5 {
            lastSeq = try await json(first.receive(until: { $0.contains(#""op":"event""#) }))["d"]?["seq"]?.intValue ?? lastSeq
        }
        try await first.sendClose()
        try await Task.sleep(for: .milliseconds(300))  // events keep coming while the page is away

        let agentSession = try await #require(try await api.connect(origin: Self.page).1["d"]?["agent_session"])
        let (again, _) = try await api.connect(origin: Self.page)
        try await again.send(APIHarness.identify(
            auth: ["token": identified["token"]!], topics: ["*"],
            resume: ["agent_session": agentSession, "after_seq": .number(Double(lastSeq))]))
        let back = try await json(again.receiveText())
        #expect(back["d"]?["resume"]?["status"] == "replayed")
        #expect(back["d"]?["resume"]?["from_seq"]?.intValue == lastSeq + 1)
        let replayed = back["d"]?["resume"]?["count"]?.intValue ?? 0
        #expect(replayed >= 10, "about 15 ticks happened while away; replayed \(replayed)")
        var seqs: [Int] = []
        while seqs.count < replayed + 10 {
            seqs.append(try await json(again.receive(until: { $0.contains(#""op":"event""#) }))["d"]?["seq"]?.intValue ?? -1)
        }
        #expect(seqs == Array((lastSeq + 1)...(lastSeq + seqs.count)), "no gap and no repeat across replay and live")
    }

    /// What was published before a page was paired is not the page's: a
    /// new pairing that asks to resume gets nothing from before, and a token
    /// cannot reach back past the start of its own session.
    @Test func replayNeverReachesBeforeTheSessionBegan() async throws {
        let api = try await harness()
        defer { Task { await api.stop() } }
        let (_, hello) = try await api.connect(origin: Self.page)
        let agentSession = try #require(hello["d"]?["agent_session"])
        try await Task.sleep(for: .milliseconds(400))  // ticks published while no page is paired
        let fromTheStart: JSONValue = ["agent_session": agentSession, "after_seq": 0]
        let (fresh, identified) = try await api.paired(topics: ["*"], origin: Self.page, resume: fromTheStart)
        #expect(identified["resume"]?["status"] == "none", "a pairing starts afresh: \(identified)")
        let first = try await json(fresh.receive(until: { $0.contains(#""op":"event""#) }))
        #expect(first["d"]?["seq"]?.intValue ?? 0 >= identified["next_seq"]?.intValue ?? .max, "live events only")
        try await fresh.sendClose()

        let (again, _) = try await api.connect(origin: Self.page)
        try await again.send(APIHarness.identify(auth: ["token": identified["token"]!], topics: ["*"], resume: fromTheStart))
        let back = try await json(again.receiveText())
        let count = back["d"]?["resume"]?["count"]?.intValue ?? -1
        let firstReplayed = try await json(again.receive(until: { $0.contains(#""op":"event""#) }))
        let sessionStart = identified["next_seq"]?.intValue ?? 0
        #expect(count >= 0 && (firstReplayed["d"]?["seq"]?.intValue ?? 0) >= sessionStart - 1,
                "the token's replay starts with its session, not at seq 1: \(back)")
    }

    @Test func resumingFromAnotherAgentSessionSaysSo() async throws {
        let api = try await harness()
        defer { Task { await api.stop() } }
        let (_, identified) = try await api.paired(origin: Self.page)
        let (again, _) = try await api.connect(origin: Self.page)
        try await again.send(APIHarness.identify(auth: ["token": identified["token"]!], topics: [],
                                           resume: ["agent_session": "an-older-run", "after_seq": 5]))
        #expect(try await json(again.receiveText())["d"]?["resume"] == ["status": "new_agent_session"])
    }

    // MARK: requests and subscriptions

    @Test func requestsReachPluginsAndTheHost() async throws {
        let api = try await harness()
        defer { Task { await api.stop() } }
        let (client, _) = try await api.paired(origin: Self.page, clientName: "Acme Interviews")
        func ask(_ id: Int, _ target: String, _ method: String) async throws -> JSONValue {
            try await client.send(#"{"op":"request","id":\#(id),"d":{"target":"\#(target)","method":"\#(method)","params":{}}}"#)
            return try await json(client.receive(until: { $0.contains(#""op":"response","id":\#(id)"#) }))["d"] ?? nil
        }
        let pong = try await ask(1, "heartbeat", "ping")
        #expect(pong["result"]?["pong"] == true)
        #expect(try await ask(2, "heartbeat", "dance")["error"]?["code"] == "unknown_method")
        #expect(try await ask(3, "nothing", "ping")["error"]?["code"] == "unknown_target")
        let plugins = try await ask(4, "host", "plugins.list")["result"]?["plugins"]?.arrayValue ?? []
        #expect(plugins.map { $0["id"] } == ["host", "heartbeat"] && plugins.last?["state"] == "running")
        #expect(plugins.first?["topics"] == ["plugin.state", "bus.dropped", "interview.started", "interview.resumed", "interview.phase", "interview.ended", "store.state",
                                             "gaze.heatmap", "alert", "assist", "integrity.context", "integrity.summary",
                                             "page.visibility", "page.focus", "page.fullscreen", "page.screen_share"])
        let info = try await ask(5, "host", "session.info")["result"]
        #expect(info?["origin"]?.stringValue == Self.page && info?["client"] == "Acme Interviews")
        #expect(info?["subscribed"] == [] && info?["token_expires_at"]?.stringValue?.hasSuffix("Z") == true)

        try await client.send(#"{"op":"subscribe","id":"s","d":{"topics":["plugin.*"]}}"#)
        #expect(try await json(client.receive(until: { $0.contains(#""id":"s""#) }))["d"]?["result"]?["subscribed"] == ["plugin.*"])

        #expect(try await ask(6, "host", "session.end")["result"] == [:])
        #expect(try await client.receiveClose().code == 1000)
    }

    @Test func heartbeatsCarryTheNewestSeq() async throws {
        let api = try await harness()
        defer { Task { await api.stop() } }
        let (client, _) = try await api.paired(origin: Self.page)
        try await client.send(#"{"op":"heartbeat"}"#)
        let beat = try await json(client.receive(until: { $0.contains(#""op":"heartbeat""#) }))
        #expect((beat["d"]?["last_seq"]?.intValue ?? 0) >= 1)
    }

    // MARK: hostile and broken clients

    @Test func messagesBeforeIdentifyCloseTheConnection() async throws {
        let api = try await harness()
        defer { Task { await api.stop() } }
        let (client, _) = try await api.connect(origin: Self.page)
        try await client.send(#"{"op":"request","id":1,"d":{"target":"heartbeat","method":"ping"}}"#)
        #expect(try await client.receiveClose() == (4001, "identify first"))
        let (versioned, _) = try await api.connect(origin: Self.page)
        try await versioned.send(#"{"op":"identify","d":{"protocol":2,"auth":{"token":"x"}}}"#)
        #expect(try await versioned.receiveClose().code == 4005)
    }

    @Test func aClientThatNeverIdentifiesIsClosed() async throws {
        let api = try await harness()
        defer { Task { await api.stop() } }
        let (client, _) = try await api.connect(origin: Self.page)
        #expect(try await client.receiveClose(timeout: 15) == (4006, "no identify within 10 s"))
    }

    @Test func aOneMebibyteFrameClosesWith1009AndOthersCarryOn() async throws {
        let api = try await harness()
        defer { Task { await api.stop() } }
        let (bystander, _) = try await api.paired(topics: ["heartbeat.tick"], origin: Self.page)
        let (client, _) = try await api.paired(origin: Self.page)
        try await client.send("{\"op\":\"heartbeat\",\"pad\":\"" + String(repeating: "x", count: 1 << 20) + "\"}")
        #expect(try await client.receiveClose().code == 1009)
        _ = try await bystander.receive(until: { $0.contains(#""op":"event""#) }, timeout: 2)
    }

    @Test func tenThousandMalformedMessagesEachGetAnErrorAndNothingStalls() async throws {
        let api = try await harness()
        defer { Task { await api.stop() } }
        let (bystander, _) = try await api.paired(topics: ["heartbeat.tick"], origin: Self.page)
        let (client, _) = try await api.paired(origin: Self.page)
        let garbage = ["{", "[]", #"{"op":42}"#, #"{"op":"dance"}"#, "\u{7F}\u{1}", #"{"op":"request","d":{}}"#]
        let sender = Thread {
            for i in 0..<10_000 { try? client.sendNow(garbage[i % garbage.count]) }
            try? client.sendFrameNow(opcode: 0x2, payload: [1, 2, 3])
            try? client.sendNow(#"{"op":"heartbeat"}"#)
        }
        sender.start()
        var codes: [String: Int] = [:]
        while true {
            let message = try await json(client.receiveText(timeout: 20))
            if message["op"] == "heartbeat" { break }
            if message["op"] == "error", let code = message["d"]?["code"]?.stringValue { codes[code, default: 0] += 1 }
        }
        #expect(codes.values.reduce(0, +) == 10_001)
        // Six kinds of garbage in turn: 1667 each of the first four kinds, 1666 of the last two.
        #expect(codes == ["malformed_json": 1667 + 1666, "malformed": 1667 + 1667 + 1666, "unknown_op": 1667, "binary_frame": 1])
        // The other page was served all along.
        _ = try await bystander.receive(until: { $0.contains(#""op":"event""#) }, timeout: 2)
    }

    /// A real agent process with a flooding plugin, so its memory is its own.
    func floodingAgent(thin: Bool) async throws -> (AgentProcess, Int, String, TemporaryDirectory) {
        let directory = TemporaryDirectory()
        var builder = ConfigBuilder()
        builder.api = ["port": 0, "allowed_origins": [.string(Self.page)], "thin_topics": thin ? ["chaos.flood"] : []]
        builder.add(id: "flood", library: "test-chaos", config: ["mode": "flood", "payload_bytes": 200])
        let agent = try AgentProcess(
            arguments: ["run", "--config", builder.write(to: directory), "--state-dir", directory.path + "/state"],
            environment: ["XDG_RUNTIME_DIR": directory.path])
        let port = try #require(await agent.apiPort())
        let code = try #require(agent.pairingCode)
        return (agent, port, code, directory)
    }

    @Test func aStalledClientIsThinnedThenToldAndMemoryStaysFlat() async throws {
        let (agent, port, code, _) = try await floodingAgent(thin: true)
        let (client, _) = try await Pairing.pair(port: port, code: code, origin: Self.page, topics: ["chaos.flood", "plugin.state"])
        _ = try await client.receive(until: { $0.contains("chaos.flood") })
        // Not reading from here on. The first seconds fill what is bounded (the
        // replay ring, this client's queue, socket buffers); after that the
        // agent's memory must stay flat however long the client stalls.
        try await Task.sleep(for: .seconds(4))
        let before = try #require(Processes.residentKiB(agent.pid))
        try await Task.sleep(for: .seconds(6))
        let after = try #require(Processes.residentKiB(agent.pid))
        #expect(after - before < 4 * 1024, "RSS grew from \(before) KiB to \(after) KiB while the client stalled")
        // Notices follow each batch with losses; while stalled, thousands were thinned.
        let notice = try await json(client.receive(until: { text in
            guard text.contains(#""op":"dropped""#), let total = try? JSONParser.parse(text)["d"]?["total"]?.intValue else { return false }
            return total > 1000
        }, timeout: 30))
        #expect(notice["d"]?["topics"] == ["chaos.flood"])
        agent.signal(SIGTERM)
        #expect(await agent.waitForExit() == 0)
    }

    /// The close frame of a revoked session waits behind the data a stalled
    /// client does not read; the connection must be cut anyway.
    @Test func revokingAStalledClientsSessionCutsItsConnection() async throws {
        let (agent, port, code, directory) = try await floodingAgent(thin: true)
        defer { agent.signal(SIGKILL) }
        let (client, identified) = try await Pairing.pair(port: port, code: code, origin: Self.page, topics: ["chaos.flood"])
        let session = try #require(identified["session"]?.stringValue)
        _ = try await client.receive(until: { $0.contains("chaos.flood") })
        try await Task.sleep(for: .seconds(3))  // not reading: the socket buffers fill
        let revoke = try AgentProcess(arguments: ["sessions", "revoke", session], environment: ["XDG_RUNTIME_DIR": directory.path])
        #expect(await revoke.waitForExit() == 0)
        #expect(await agent.waitForLog(timeout: .seconds(10), containing: "closing with 4009"))
        let gone = await eventually(timeout: .seconds(6), every: .milliseconds(250)) {
            guard let (_, body) = try? await HTTPGet.get(port: port, path: "/local/status"),
                let clients = try? JSONParser.parse(body)["clients"]?.arrayValue else { return false }
            return clients.isEmpty
        }
        #expect(gone, "the stalled connection was cut, not left waiting to send its close frame")
        agent.signal(SIGTERM)
        #expect(await agent.waitForExit() == 0)
    }

    /// A connection that never completes its first request, or sends one the
    /// HTTP parser rejects, is closed; the agent keeps answering others.
    @Test func connectionsThatNeverFinishARequestAreClosed() async throws {
        let api = try await harness()
        defer { Task { await api.stop() } }
        let silent = try RawTCP(port: api.port)
        let halfHeader = try RawTCP(port: api.port)
        try halfHeader.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:\(api.port)\r\n")
        let hugeHeader = try RawTCP(port: api.port)
        try hugeHeader.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:\(api.port)\r\nX-Junk: " + String(repeating: "a", count: 100_000))
        let started = ContinuousClock.now
        for (name, socket) in [("silent", silent), ("half a header", halfHeader), ("a 100 KB header", hugeHeader)] {
            #expect(socket.waitForClose(timeout: 20), "\(name): still open")
        }
        #expect(ContinuousClock.now - started < .seconds(15))
        let (status, _) = try await HTTPGet.get(port: api.port, path: "/healthz")
        #expect(status == 200)
    }

    @Test func aStalledClientLosingStateEventsIsClosedAsTooSlow() async throws {
        let (agent, port, code, _) = try await floodingAgent(thin: false)
        let (client, _) = try await Pairing.pair(port: port, code: code, origin: Self.page, topics: ["chaos.flood"])
        #expect(await agent.waitForLog(timeout: .seconds(20), containing: "closing with 4007: too slow"))
        let (closeCode, _) = try await client.receiveClose(timeout: 30)
        #expect(closeCode == 4007 || closeCode == nil, "closed as too slow (or cut off while its buffer was full)")
        agent.signal(SIGTERM)
        #expect(await agent.waitForExit() == 0)
    }
}
