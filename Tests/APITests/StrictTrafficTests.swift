import Foundation
@testable import ProctorAPI
import ProctorHost
import ProctorJSON
import ProctorTestSupport
import Testing

/// What the agent does with traffic the RFCs forbid, against a real agent
/// over real sockets: HTTP heads (RFC 9110/9112), WebSocket frames (RFC
/// 6455), deadlines a trickle cannot stretch, and the close on shutdown.
@Suite(.serialized) struct StrictTrafficTests {
    static let page = "https://meet.example.com"

    func harness() async throws -> APIHarness {
        try await APIHarness(allowedOrigins: [Self.page]) { config in
            config.add(id: "heartbeat", library: "heartbeat", config: ["interval_ms": 20])
        }
    }

    /// Sends `request` raw; returns the status line's code, the body and
    /// whether the agent closed the connection after answering.
    func exchange(_ request: String, port: Int) async throws -> (status: Int, body: String, closed: Bool) {
        try await offPool {
            let connection = try RawTCP(port: port)
            try connection.send(request)
            let whole = String(decoding: connection.readToEnd(), as: UTF8.self)
            let parts = whole.components(separatedBy: "\r\n\r\n")
            let status = Int(parts[0].split(separator: " ").dropFirst().first ?? "") ?? 0
            let closes = parts[0].lowercased().contains("connection: close")
            return (status, parts.dropFirst().joined(separator: "\r\n\r\n"), closes)
        }
    }

    @Test func twoHostHeadersAndForeignAbsoluteTargetsAreRefused() async throws {
        let api = try await harness()
        defer { Task { await api.stop() } }
        let own = "127.0.0.1:\(api.port)"
        // readToEnd returns only once the agent closes: each refusal closes its connection.
        let twoHosts = try await exchange("GET /healthz HTTP/1.1\r\nHost: \(own)\r\nHost: evil.example:\(api.port)\r\n\r\n", port: api.port)
        #expect(twoHosts.status == 400 && twoHosts.body == "bad request: 2 Host headers\n" && twoHosts.closed)
        let foreign = try await exchange("GET http://evil.example:\(api.port)/v1 HTTP/1.1\r\nHost: \(own)\r\n\r\n", port: api.port)
        #expect(foreign.status == 403 && foreign.body == "host not allowed: evil.example:\(api.port)\n" && foreign.closed)
        let otherScheme = try await exchange("GET https://\(own)/healthz HTTP/1.1\r\nHost: \(own)\r\n\r\n", port: api.port)
        #expect(otherScheme.status == 400)
        // An absolute-form target naming the agent itself is served as its path.
        let absolute = try await exchange("GET http://\(own)/healthz HTTP/1.1\r\nHost: \(own)\r\nConnection: close\r\n\r\n", port: api.port)
        #expect(absolute.status == 200 && absolute.body == #"{"status":"ok"}"#)
        // A refused upgrade says why and closes too (no keep-alive for a refused client).
        let upgrade = "GET /v1 HTTP/1.1\r\nHost: \(own)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: https://other.example\r\n\r\n"
        let refused = try await exchange(upgrade, port: api.port)
        #expect(refused.status == 403 && refused.body.hasPrefix("origin not allowed: https://other.example (the person at this computer can allow it") && refused.closed)
        // Two Origins, the first allowed: refused, so no later reader can take the other one.
        let twoOrigins = try await exchange(upgrade.replacingOccurrences(of: "Origin: https://other.example\r\n",
                                                                         with: "Origin: \(Self.page)\r\nOrigin: https://other.example\r\n"), port: api.port)
        #expect(twoOrigins.status == 400 && twoOrigins.body == "bad request: 2 Origin headers\n" && twoOrigins.closed)
        // An upgrade for another path is refused and closed: it would otherwise go on as
        // plain HTTP on a connection the head checks and deadlines had already left.
        let elsewhere = try await exchange(upgrade.replacingOccurrences(of: "GET /v1 ", with: "GET /healthz ")
            .replacingOccurrences(of: "Origin: https://other.example", with: "Origin: \(Self.page)"), port: api.port)
        #expect(elsewhere.status == 404 && elsewhere.body == "not found: only /v1 is a WebSocket\n" && elsewhere.closed)
    }

    @Test func aTrickledSecondRequestHeadIsClosedAtItsDeadline() async throws {
        let api = try await harness()
        defer { Task { await api.stop() } }
        let (answeredFirst, elapsed, answer) = try await offPool { () -> (Bool, Double, String) in
            let connection = try RawTCP(port: api.port)
            try connection.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:\(api.port)\r\n\r\n")
            let first = connection.readAvailable(timeout: 10)
            let start = Date()
            // A whole head a byte every 300 ms would take about 15 s; the head deadline is 10 s.
            let second = Array("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:\(api.port)\r\nX-Slow: abc\r\n\r\n".utf8)
            var received: [UInt8] = []
            for byte in second {
                guard (try? connection.send(bytes: [byte])) != nil else { break }
                if connection.waitForClose(timeout: 0.3, collecting: &received) { break }
            }
            _ = connection.waitForClose(timeout: 5, collecting: &received)
            return (String(decoding: first, as: UTF8.self).hasPrefix("HTTP/1.1 200"), Date().timeIntervalSince(start),
                    String(decoding: received, as: UTF8.self))
        }
        #expect(answeredFirst)
        #expect(answer.isEmpty, "the trickled request was answered: \(answer.prefix(100))")
        #expect(elapsed >= Double(RequestDeadlines.headSeconds) - 0.5 && elapsed < 14.5,
                "closed \(elapsed) s after the first answer; the deadline is \(RequestDeadlines.headSeconds) s")
    }

    @Test func brokenWebSocketTrafficClosesWithTheRFCsCodes() async throws {
        let api = try await harness()
        defer { Task { await api.stop() } }
        func closeCode(_ send: @escaping @Sendable (WebSocketTestClient) throws -> Void) async throws -> UInt16? {
            let (client, _) = try await api.connect(origin: Self.page)
            try await offPool { try send(client) }
            return try await client.receiveClose().code
        }
        let chunk = [UInt8](repeating: 0x61, count: 30 << 10)
        #expect(try await closeCode { client in
            try client.sendFrameNow(opcode: 0x1, payload: chunk, fin: false)
            try client.sendFrameNow(opcode: 0x0, payload: chunk, fin: false)
            try client.sendFrameNow(opcode: 0x0, payload: chunk, fin: true)
        } == 1009, "a message over 64 KiB in fragments")
        #expect(try await closeCode { try $0.sendFrameNow(opcode: 0x1, payload: [0x7B, 0xC3, 0x28, 0x7D]) } == 1007, "invalid UTF-8")
        #expect(try await closeCode { try $0.sendFrameNow(opcode: 0x0, payload: Array("{}".utf8)) } == 1002, "a continuation with no start")
        #expect(try await closeCode { client in
            try client.sendFrameNow(opcode: 0x1, payload: Array("{".utf8), fin: false)
            try client.sendFrameNow(opcode: 0x1, payload: Array("}".utf8))
        } == 1002, "a new message inside a fragmented one")
        #expect(try await closeCode { try $0.sendFrameNow(opcode: 0x1, payload: Array(#"{"op":"heartbeat"}"#.utf8), masked: false) } == 1002,
                "an unmasked client frame")
        // A well-formed fragmented message is still put together and answered.
        let (client, _) = try await api.connect(origin: Self.page)
        try await offPool {
            try client.sendFrameNow(opcode: 0x1, payload: Array(#"{"op":"#.utf8), fin: false)
            try client.sendFrameNow(opcode: 0x0, payload: Array(#""heartbeat"}"#.utf8))
        }
        #expect(try await client.receiveClose() == (4001, "identify first"))
    }

    @Test func pagesHear1001WhenTheAgentStops() async throws {
        let api = try await harness()
        let (identified, _) = try await api.paired(topics: ["heartbeat.tick"], origin: Self.page)
        let (waiting, _) = try await api.connect(origin: Self.page)
        let closes = Task { try await (identified.receiveClose(timeout: 20), waiting.receiveClose(timeout: 20)) }
        await api.stop()
        let (first, second) = try await closes.value
        #expect(first == (1001, "the agent is shutting down"))
        #expect(second == (1001, "the agent is shutting down"))
    }

    @Test func aResumeFromBeforeThePairingSaysWhereItsReplayStarts() async throws {
        let api = try await harness()
        defer { Task { await api.stop() } }
        // Events flow before the page pairs; it then asks for everything after seq 1.
        _ = await eventually(timeout: .seconds(20)) { api.agent.bus.nextSeq > 10 }
        let publishedBeforePairing = Int(api.agent.bus.nextSeq)
        let (client, identified) = try await api.paired(topics: ["heartbeat.tick"], origin: Self.page)
        let token = try #require(identified["token"])
        _ = try await client.receive(until: { $0.contains(#""op":"event""#) })
        let agentSession = try #require(try await api.connect(origin: Self.page).1["d"]?["agent_session"])
        let (again, _) = try await api.connect(origin: Self.page)
        try await again.send(APIHarness.identify(auth: ["token": token], topics: ["heartbeat.tick"],
                                                 resume: ["agent_session": agentSession, "after_seq": 1]))
        let back = try JSONParser.parse(try await again.receiveText())
        let resume = try #require(back["d"]?["resume"])
        #expect(resume["status"] == "replayed")
        let count = try #require(resume["count"]?.intValue)
        #expect(count > 0)
        var seqs: [Int] = []
        for _ in 0..<count {
            seqs.append(try JSONParser.parse(try await again.receive(until: { $0.contains(#""op":"event""#) }))["d"]?["seq"]?.intValue ?? -1)
        }
        #expect(resume["from_seq"]?.intValue == seqs.first, "from_seq is the first replayed seq")
        #expect(seqs.first! >= publishedBeforePairing, "nothing from before the pairing was replayed")
    }
}
