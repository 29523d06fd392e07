import Foundation
import ProctorCall
import ProctorJSON
import ProctorTestSupport
import Testing

@Suite("Call server: signalling between the two peers of a room")
struct SignallingTests {
    /// A room and its codes.
    struct Codes {
        let interviewee: String
        let interviewer: String
        let secret: String
        let id: String
    }

    static func room(_ server: CallServerHarness, _ body: JSONValue = [:]) async throws -> Codes {
        let answer = try await server.createRoom(body)
        return Codes(
            interviewee: try #require(answer["codes"]?["interviewee"]?.stringValue),
            interviewer: try #require(answer["codes"]?["interviewer"]?.stringValue),
            secret: try #require(answer["interviewerSecret"]?.stringValue),
            id: try #require(answer["room"]?["id"]?.stringValue))
    }

    static func message(_ socket: WebSocketTestClient, type: String) async throws -> JSONValue {
        let text = try await socket.receive(until: { (try? JSONParser.parse($0))?["type"]?.stringValue == type })
        return try JSONParser.parse(text)
    }

    @Test("two peers join; each hears of the other; a signal is relayed as it was sent, with from; leaving is announced")
    func twoPeers() async throws {
        let server = try await CallServerHarness { $0.iceServers = [["urls": "stun:stun.example.org:3478"]] }
        let codes = try await Self.room(server, ["title": "Pair"])
        let (interviewer, first) = try await server.join(code: codes.interviewer, secret: codes.secret)
        #expect(first["type"] == "joined")
        #expect(first["role"] == "interviewer")
        #expect(first["peers"] == [])
        #expect(first["room"]?["title"] == "Pair")
        #expect(first["iceServers"] == [["urls": "stun:stun.example.org:3478"]])
        #expect(first["files"]?["maxBytes"] == 52_428_800)

        let (interviewee, second) = try await server.join(code: codes.interviewee)
        #expect(second["role"] == "interviewee")
        #expect(second["peers"] == ["interviewer"])
        let joined = try await Self.message(interviewer, type: "peer-joined")
        #expect(joined["role"] == "interviewee")

        let offer: JSONValue = ["description": ["type": "offer", "sdp": "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\n"]]
        try await interviewer.send(JSONWriter.compact(["type": "signal", "data": offer]))
        let relayed = try await Self.message(interviewee, type: "signal")
        #expect(relayed == ["type": "signal", "from": "interviewer", "data": offer])
        let candidate: JSONValue = ["candidate": ["candidate": "candidate:1 1 udp 2122260223 127.0.0.1 54321 typ host", "sdpMid": "0", "sdpMLineIndex": 0]]
        try await interviewee.send(JSONWriter.compact(["type": "signal", "data": candidate]))
        #expect(try await Self.message(interviewer, type: "signal") == ["type": "signal", "from": "interviewee", "data": candidate])

        let check = try await server.request("POST", "/api/rooms/check", body: ["code": .string(codes.interviewee)])
        #expect(check.json["peers"] == ["interviewer", "interviewee"])

        try await interviewee.sendClose()
        let left = try await Self.message(interviewer, type: "peer-left")
        #expect(left == ["type": "peer-left", "role": "interviewee", "reason": "closed"])

        // Alone again: a signal has nobody to go to, and the connection stays.
        try await interviewer.send(JSONWriter.compact(["type": "signal", "data": candidate]))
        let error = try await Self.message(interviewer, type: "error")
        #expect(error["code"] == "no_peer")
    }

    @Test("a third peer is refused with 4409 and a clear message; the same peerId replaces its stale connection with 4000")
    func thirdAndReplaced() async throws {
        let server = try await CallServerHarness()
        let codes = try await Self.room(server)
        let (interviewer, _) = try await server.join(code: codes.interviewer, secret: codes.secret)
        let (first, answer) = try await server.join(code: codes.interviewee, peerId: "page-1")
        #expect(answer["type"] == "joined")
        _ = try await Self.message(interviewer, type: "peer-joined")

        let (third, refused) = try await server.join(code: codes.interviewee, peerId: "someone-else")
        #expect(refused["type"] == "error")
        #expect(refused["code"] == "room_full")
        #expect(refused["message"] == "this interview already has an interviewee")
        let close = try await third.receiveClose()
        #expect(close.code == 4409)
        #expect(close.reason == "room_full")

        let (reloaded, again) = try await server.join(code: codes.interviewee, peerId: "page-1")
        #expect(again["type"] == "joined")
        let replaced = try await first.receiveClose()
        #expect(replaced.code == 4000)
        #expect(replaced.reason == "replaced")
        #expect(try await Self.message(interviewer, type: "peer-left") == ["type": "peer-left", "role": "interviewee", "reason": "replaced"])
        #expect(try await Self.message(interviewer, type: "peer-joined")["role"] == "interviewee")

        // The new connection is the one that relays.
        try await interviewer.send(#"{"type":"signal","data":{"candidate":null}}"#)
        #expect(try await Self.message(reloaded, type: "signal")["data"] == ["candidate": nil])
    }

    @Test("at expiry both peers hear expired and are closed with 4410; the code is then refused as expired")
    func expiry() async throws {
        let server = try await CallServerHarness()
        let codes = try await Self.room(server, ["durationSeconds": 3])
        let (interviewer, _) = try await server.join(code: codes.interviewer, secret: codes.secret)
        let (interviewee, _) = try await server.join(code: codes.interviewee)
        for socket in [interviewer, interviewee] {
            let expired = try await Self.message(socket, type: "expired")
            #expect(expired == ["type": "expired"])
            #expect(try await socket.receiveClose().code == 4410)
        }
        let check = try await server.request("POST", "/api/rooms/check", body: ["code": .string(codes.interviewee)])
        #expect(check.status == 410)
        let (late, refused) = try await server.join(code: codes.interviewee)
        #expect(refused["code"] == "expired")
        #expect(try await late.receiveClose().code == 4410)
    }

    @Test("deleting a room closes its peers (closed, 4410) and forgets its codes")
    func deletion() async throws {
        let server = try await CallServerHarness()
        let codes = try await Self.room(server)
        let (interviewee, _) = try await server.join(code: codes.interviewee)
        let deleted = try await server.request("DELETE", "/api/admin/rooms/\(codes.id)", bearer: server.secret)
        #expect(deleted.status == 204)
        #expect(try await Self.message(interviewee, type: "closed") == ["type": "closed"])
        #expect(try await interviewee.receiveClose().code == 4410)
        let check = try await server.request("POST", "/api/rooms/check", body: ["code": .string(codes.interviewee)])
        #expect(check.status == 404)
        let again = try await server.request("DELETE", "/api/admin/rooms/\(codes.id)", bearer: server.secret)
        #expect(again.status == 404)
        #expect(again.errorCode == "unknown_room")
    }

    @Test("join refusals close with their codes: unknown 4404, wrong secret 4403, not started 4425")
    func joinRefusals() async throws {
        let server = try await CallServerHarness()
        let codes = try await Self.room(server)
        let (unknown, first) = try await server.join(code: RoomCode.random().grouped)
        #expect(first["code"] == "unknown_code")
        #expect(try await unknown.receiveClose().code == 4404)
        let (wrong, second) = try await server.join(code: codes.interviewer, secret: "guess")
        #expect(second["code"] == "wrong_secret")
        #expect(try await wrong.receiveClose().code == 4403)
        let later = try await Self.room(server, ["startsAt": .string(CallTime.format(Date().addingTimeInterval(7200)))])
        let (early, third) = try await server.join(code: later.interviewee)
        #expect(third["code"] == "not_started")
        #expect(try await early.receiveClose().code == 4425)
    }

    @Test("bad JSON, a binary frame, an unknown type or a signal before join close with 4400 naming what was wrong",
          arguments: [
            ("{not json", "bad JSON"), (#"{"type":"dance"}"#, #"unknown message type "dance""#),
            (#"{"code":"x"}"#, #"a message needs a string "type""#), (#"{"type":"signal","data":{}}"#, "the first message must be join"),
            (#"{"type":"join","code":"x"}"#, #"join needs a "peerId""#), ("binary", "binary frames"),
          ])
    func malformed(text: String, reason: String) async throws {
        let server = try await CallServerHarness()
        let socket = try await server.signal()
        if text == "binary" {
            try await offPool { try socket.sendFrameNow(opcode: 0x2, payload: [1, 2, 3]) }
        } else {
            try await socket.send(text)
        }
        let close = try await socket.receiveClose()
        #expect(close.code == 4400)
        #expect(close.reason.contains(reason), "\(close.reason)")
    }

    @Test("a signal with a data that is not an object closes with 4400 after join")
    func signalWithoutData() async throws {
        let server = try await CallServerHarness()
        let codes = try await Self.room(server)
        let (socket, _) = try await server.join(code: codes.interviewee)
        try await socket.send(#"{"type":"signal","data":"offer"}"#)
        let close = try await socket.receiveClose()
        #expect(close.code == 4400)
        #expect(close.reason.contains("signal needs a \"data\" object"))
    }

    @Test("the upgrade is refused from another Origin, and for another Host")
    func originAndHost() async throws {
        let server = try await CallServerHarness()
        for origin in ["http://evil.example", "http://127.0.0.1:\(server.port + 1)", "null"] {
            await #expect(throws: WebSocketTestClient.Refused.self) { _ = try await server.signal(origin: origin) }
        }
        for (origin, host, status, code) in [("https://evil.example", nil, 403, "wrong_origin"), (nil, "rebind.example:\(server.port)", 421, "wrong_host")] {
            let refused = await #expect(throws: WebSocketTestClient.Refused.self) { _ = try await server.signal(origin: origin, host: host) }
            #expect(refused?.status == status)
            #expect(refused?.body.contains(code) == true, "the refusal says why: \(refused?.body ?? "")")
        }
        let page = try await server.request("GET", "/healthz", host: "rebind.example")
        #expect(page.status == 421)
        // localhost is the same server.
        let local = try await server.request("GET", "/healthz", host: "localhost:\(server.port)")
        #expect(local.status == 200)
    }

    @Test("at debug level, after creating, checking, joining, refusing and deleting, the log holds no code or secret")
    func logHoldsNoSecrets() async throws {
        let server = try await CallServerHarness()
        let codes = try await Self.room(server)
        _ = try await server.request("POST", "/api/rooms/check", body: ["code": .string(codes.interviewer), "secret": .string(codes.secret)])
        _ = try await server.request("POST", "/api/rooms/check", body: ["code": .string(codes.interviewer), "secret": "wrong-secret-guess"])
        let (interviewer, _) = try await server.join(code: codes.interviewer, secret: codes.secret, peerId: "peer-interviewer")
        let (interviewee, _) = try await server.join(code: codes.interviewee)
        try await interviewer.send(#"{"type":"signal","data":{"candidate":null}}"#)
        _ = try await Self.message(interviewee, type: "signal")
        let (third, _) = try await server.join(code: codes.interviewee, secret: codes.secret)
        _ = try await third.receiveClose()
        _ = try await server.request("GET", "/api/admin/rooms", bearer: server.secret)
        _ = try await server.request("DELETE", "/api/admin/rooms/\(codes.id)", bearer: server.secret)
        _ = try await interviewer.receiveClose()
        let log = server.log.all.joined(separator: "\n")
        #expect(log.contains("room \(codes.id) created") && log.contains("joined") && log.contains("deleted"), "the log is captured")
        for text in [codes.interviewee, codes.interviewer, codes.secret, server.secret, "wrong-secret-guess"]
            + [codes.interviewee, codes.interviewer].map({ $0.replacingOccurrences(of: "-", with: "") }) {
            #expect(!log.contains(text))
        }
    }

    @Test("a peer that answers no ping for the silence limit is dropped, and the other hears peer-left timeout")
    func silentPeer() async throws {
        let server = try await CallServerHarness(pingInterval: .milliseconds(300), silenceLimit: .seconds(1))
        let codes = try await Self.room(server)
        let (interviewer, _) = try await server.join(code: codes.interviewer, secret: codes.secret)
        let (silent, _) = try await server.join(code: codes.interviewee)
        // The interviewer reads, and so answers pings; the interviewee reads nothing from here on (reading
        // its close now would answer the pings queued before it, on a socket the server has cut).
        let left = try await Self.message(interviewer, type: "peer-left")
        #expect(left == ["type": "peer-left", "role": "interviewee", "reason": "timeout"])
        _ = silent
        let check = try await server.request("POST", "/api/rooms/check", body: ["code": .string(codes.interviewee)])
        #expect(check.json["peers"] == ["interviewer"])
        // The one that answered pings is still there.
        try await interviewer.send(#"{"type":"signal","data":{}}"#)
        #expect(try await Self.message(interviewer, type: "error")["code"] == "no_peer")
    }

    @Test("a connection that sends no join within 10 s is closed with 4408")
    func joinTimeout() async throws {
        let server = try await CallServerHarness()
        let socket = try await server.signal()
        let error = try JSONParser.parse(try await socket.receiveText(timeout: 20))
        #expect(error["code"] == "join_timeout")
        #expect(try await socket.receiveClose().code == 4408)
    }

    @Test("failed joins count against the address: after 10 the code check answers 429 too")
    func failedJoinsLimit() async throws {
        let server = try await CallServerHarness()
        let codes = try await Self.room(server)
        for _ in 0..<10 {
            let (socket, answer) = try await server.join(code: codes.interviewer, secret: "a guess")
            #expect(answer["code"] == "wrong_secret")
            _ = try await socket.receiveClose()
        }
        let check = try await server.request("POST", "/api/rooms/check", body: ["code": .string(codes.interviewee)])
        #expect(check.status == 429)
        let (socket, answer) = try await server.join(code: codes.interviewer, secret: codes.secret)
        #expect(answer["code"] == "rate_limited", "even the right secret waits")
        #expect(try await socket.receiveClose().code == 4429)
    }

    @Test("a peer that reads nothing while the other keeps signalling is cut, not buffered without end")
    func nonReaderIsCut() async throws {
        let server = try await CallServerHarness()
        let codes = try await Self.room(server)
        let (interviewer, _) = try await server.join(code: codes.interviewer, secret: codes.secret)
        let (stalled, _) = try await server.join(code: codes.interviewee)
        _ = stalled  // reads nothing from here on: the socket buffers fill, then its outbox
        let candidate = String(repeating: "a", count: 50_000)
        // Batches of 20 signals (1 MB) until the interviewee is cut, at most 100 MB.
        let left = try await offPool { () -> JSONValue? in
            for _ in 0..<100 {
                for _ in 0..<20 { try interviewer.sendNow(#"{"type":"signal","data":{"candidate":"\#(candidate)"}}"#) }
                while case .text(let text)? = try interviewer.receiveNow(timeout: 0.05) {
                    if let message = try? JSONParser.parse(text), message["type"] == "peer-left" { return message }
                }
            }
            return nil
        }
        #expect(left?["role"] == "interviewee")
    }
}
