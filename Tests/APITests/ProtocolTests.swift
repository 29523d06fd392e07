import Foundation
import NIOCore
@testable import ProctorAPI
import ProctorHost
import ProctorJSON
import ProctorTestSupport
import Synchronization
import Testing

/// The parts of the protocol that need no socket.
@Suite struct ProtocolTests {
    @Test func theProofMatchesTheWorkedExampleInTheProtocolDocument() throws {
        // Expected value computed with Python's hmac module, not with this code.
        let challenge = Base64URL.encode(Array(1...32))
        #expect(challenge == "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA")
        let proof = PairingProof.make(code: "482913", challenge: challenge, origin: "https://meet.example.com")
        #expect(proof == "f2fcf13bd26a5930d091fc4dd20c35a167336a46f485988bb4c5a3e67981b364")
        let document = try String(contentsOfFile: TestBuild.repositoryRoot + "/docs/protocol.md", encoding: .utf8)
        #expect(document.contains(proof) && document.contains(Hex.encode(PairingProof.message(challenge: challenge, origin: "https://meet.example.com"))))
        #expect(PairingProof.verify(proof.uppercased(), code: "482913", challenge: challenge, origin: "https://meet.example.com"))
        #expect(!PairingProof.verify(proof, code: "482913", challenge: challenge, origin: "https://evil.example"))
    }

    @Test func constantTimeComparisonIsStillAComparison() {
        #expect(ConstantTime.equal("abc", "abc"))
        #expect(!ConstantTime.equal("abc", "abd"))
        #expect(!ConstantTime.equal("abc", "ab"))
        #expect(!ConstantTime.equal("", "a"))
        #expect(!ConstantTime.equal(Array(repeating: UInt8(1), count: 256), Array(repeating: UInt8(1), count: 512)))
    }

    @Test func pairingCodesExpireAreSingleUseAndLockOutOneOriginAtATime() {
        let codes = CodeSequence(["111111", "222222", "333333", "444444", "555555"])
        var machine = PairingStateMachine(now: 0) { _ in codes.next() }
        let a = "https://a.example", b = "https://b.example"
        #expect(machine.current(now: 10).code == "111111")
        #expect(machine.verify(origin: a, now: 20) { $0 == "999999" } == .rejected(remaining: 4))
        #expect(machine.verify(origin: a, now: 21) { $0 == "111111" } == .accepted)
        #expect(machine.current(now: 22).code == "222222", "a code is single use")
        let expired = machine.current(now: 22 + 300)
        #expect(expired.code == "333333" && expired.rotated, "a code expires after 5 minutes")
        for remaining in (1...4).reversed() {
            #expect(machine.verify(origin: a, now: 400) { _ in false } == .rejected(remaining: remaining))
        }
        #expect(machine.verify(origin: b, now: 400) { _ in false } == .rejected(remaining: 4), "failures are counted per origin")
        #expect(machine.verify(origin: a, now: 401) { _ in false } == .locked(seconds: 60))
        #expect(machine.verify(origin: a, now: 430) { _ in true } == .locked(seconds: 31), "even the right code waits out the lock")
        #expect(machine.code == "333333", "a lock leaves the code the person may be typing")
        #expect(machine.locks(now: 430).map(\.origin) == [a])
        #expect(machine.verify(origin: b, now: 431) { $0 == "333333" } == .accepted, "another origin still pairs")
        for _ in 0..<5 { _ = machine.verify(origin: b, now: 440) { _ in false } }
        #expect(machine.locks(now: 440).map(\.origin) == [a, b])
        #expect(machine.unlock(now: 441) == [a, b], "the person at the machine ends every lock")
        #expect(machine.verify(origin: a, now: 442) { $0 == "444444" } == .accepted)
        #expect(machine.locks(now: 500).isEmpty && machine.unlock(now: 500).isEmpty)
    }

    @Test func resumeSaysWhereTheReplayStarts() {
        func event(_ seq: UInt64) -> Event {
            Event(seq: seq, timestamp: .now(), plugin: "p", topic: "t", data: "{}")
        }
        let (replayed, events) = ClientConnection.resumeStatus(("s", 3), agentSession: "s", nextSeq: 20, replay: .events([event(12), event(13)]))
        #expect(replayed == ["status": "replayed", "from_seq": 12, "count": 2] && events.map(\.seq) == [12, 13])
        let (empty, _) = ClientConnection.resumeStatus(("s", 3), agentSession: "s", nextSeq: 20, replay: .events([]))
        #expect(empty == ["status": "replayed", "from_seq": 20, "count": 0], "nothing replayed: the next live seq")
        let (gap, _) = ClientConnection.resumeStatus(("s", 3), agentSession: "s", nextSeq: 20, replay: .tooOld(requested: 3, oldestAvailable: 10, events: [event(11)]))
        #expect(gap == ["status": "gap", "from_seq": 11, "missed": 6, "count": 1])
    }

    @Test func theHandshakeStateMachineWalksEveryEdge() {
        let identify = ClientMessage.Identify(protocolVersion: 1, clientName: nil, auth: .token("t"), subscribe: [], resume: nil)
        var m = ConnectionStateMachine()
        #expect(m.received(.heartbeat) == .close(.notIdentified, reason: "identify first"))
        m = ConnectionStateMachine()
        #expect(m.received(.invalid(code: "malformed_json", message: "x", id: nil)) == .reportError(code: "malformed_json", message: "x", id: nil))
        var old = identify
        old.protocolVersion = 2
        #expect(m.received(.identify(old)) == .close(.unsupportedProtocol, reason: "unsupported protocol 2; this agent speaks 1"))
        m = ConnectionStateMachine()
        #expect(m.received(.identify(identify)) == .authenticate(identify))
        #expect(m.received(.heartbeat) == .close(.notIdentified, reason: "identify first"), "nothing but identify while authenticating")
        m = ConnectionStateMachine()
        _ = m.received(.identify(identify))
        #expect(m.authenticated(.refused(.authenticationFailed, reason: "no")) == .close(.authenticationFailed, reason: "no"))
        #expect(m.received(.heartbeat) == .ignore, "a closing connection ignores the rest")
        m = ConnectionStateMachine()
        _ = m.received(.identify(identify))
        #expect(m.authenticated(.accepted) == .ignore)
        #expect(m.state == .identified)
        #expect(m.identifyTimedOut() == .ignore)
        #expect(m.received(.heartbeat) == .handle(.heartbeat))
        #expect(m.received(.identify(identify)) == .close(.alreadyIdentified, reason: "already identified"))
        m = ConnectionStateMachine()
        #expect(m.identifyTimedOut() == .close(.identifyTimeout, reason: "no identify within 10 s"))
        #expect(m.closeRequested(.tooSlow, reason: "x") == .ignore)
    }

    @Test(arguments: [
        ("{", "malformed_json"), ("[]", "malformed"), (#"{"d":{}}"#, "malformed"), (#"{"op":"dance"}"#, "unknown_op"),
        (#"{"op":"request","d":{"target":"x","method":"y"}}"#, "malformed"),
        (#"{"op":"request","id":1,"d":{"target":"x"}}"#, "malformed"),
        (#"{"op":"subscribe","id":1,"d":{"topics":["Bad Topic"]}}"#, "malformed"),
        (#"{"op":"identify","d":{"protocol":1,"auth":{}}}"#, "malformed"),
        (#"{"op":"heartbeat","id":{"no":1}}"#, "malformed"),
    ])
    func malformedMessagesGetAnErrorCode(text: String, code: String) {
        guard case .invalid(let found, let message, _) = ClientMessage.parse(text) else {
            Issue.record("accepted \(text)")
            return
        }
        #expect(found == code, "\(message)")
        #expect(!message.isEmpty)
    }

    @Test func theGuardChecksHostOriginAndUser() {
        let checks = UpgradeGuard(port: BoundPort(47615), allowedOrigins: ["https://meet.example.com"], uid: 1000) { client, _ in
            client.port == 1 ? 1000 : 1001
        }
        let server = try! SocketAddress(ipAddress: "127.0.0.1", port: 47615)
        #expect(checks.checkHost("127.0.0.1:47615") == nil && checks.checkHost("localhost:47615") == nil && checks.checkHost("[::1]:47615") == nil)
        #expect(checks.checkHost("evil.example:47615")?.reason == "host not allowed: evil.example:47615")
        #expect(checks.checkHost("127.0.0.1:8080") != nil && checks.checkHost("127.0.0.1") != nil && checks.checkHost(nil) != nil)
        #expect(checks.checkOrigin("https://meet.example.com") == nil && checks.checkOrigin("http://127.0.0.1:47615") == nil)
        #expect(checks.checkOrigin("https://meet.example.com/")?.reason == "origin not allowed: https://meet.example.com/")
        #expect(checks.checkOrigin("null") != nil && checks.checkOrigin(nil) != nil && checks.checkOrigin("https://MEET.example.com") != nil)
        #expect(checks.checkPeer(client: try! SocketAddress(ipAddress: "127.0.0.1", port: 1), server: server) == .sameUser)
        #expect(checks.checkPeer(client: try! SocketAddress(ipAddress: "127.0.0.1", port: 2), server: server) == .anotherUser(1001))
        #expect(checks.checkPeer(client: nil, server: server) == .unknown)
    }

    @Test func theRefusalLimiterBoundsEachSourceAllSourcesAndItsMemory() {
        let now = Mutex<Double>(1000)
        let limiter = RefusalLimiter(perSource: 3, total: 5) { now.withLock { $0 } }
        #expect((0..<4).map { _ in limiter.allow("127.0.0.1 https://a.example") } == [true, true, true, false])
        #expect(limiter.allow("127.0.0.1 https://b.example") && limiter.allow("127.0.0.1 https://c.example"))
        #expect(!limiter.allow("127.0.0.1 https://d.example"), "past the total, a new source waits too")
        // Made-up sources by the thousand, each with a huge Origin, cost a bounded table.
        for n in 0..<5000 { _ = limiter.allow("127.0.0.1 https://\(n).example/" + String(repeating: "x", count: 60_000)) }
        #expect(limiter.trackedSources <= RefusalLimiter.maximumSources + 1)
        now.withLock { $0 += 61 }
        #expect(limiter.allow("127.0.0.1 https://a.example"), "a minute later the windows start again")
    }

    @Test func thePeersUidComesFromTheSocketTable() {
        let table = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 0100007F:B9FF 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1 1 0
               1: 0100007F:D431 0100007F:B9FF 01 00000000:00000000 00:00000000 00000000  1001        0 2 1 0
               2: 0100007F:B9FF 0100007F:D431 01 00000000:00000000 00:00000000 00000000  1000        0 3 1 0
            """
        let server = LoopbackPeer.Endpoint(address: [127, 0, 0, 1], port: 0xB9FF)
        #expect(LoopbackPeer.uid(in: table, client: .init(address: [127, 0, 0, 1], port: 0xD431), server: server) == 1001)
        #expect(LoopbackPeer.uid(in: table, client: .init(address: [127, 0, 0, 1], port: 0xD432), server: server) == nil)
    }

    /// Another user binds 127.0.0.3 to the agent's own port and connects:
    /// both ends of that connection have the same port, and the agent's end
    /// (listed first here) must not be taken for the client's.
    @Test func aClientOnTheServersPortIsToldApartByAddress() {
        let table = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 0100007F:B9FF 0300007F:B9FF 01 00000000:00000000 00:00000000 00000000  1000        0 3 1 0
               1: 0300007F:B9FF 0100007F:B9FF 01 00000000:00000000 00:00000000 00000000 65534        0 2 1 0
            """
        let uid = LoopbackPeer.uid(in: table, client: .init(address: [127, 0, 0, 3], port: 0xB9FF),
                                   server: .init(address: [127, 0, 0, 1], port: 0xB9FF))
        #expect(uid == 65534)
        let six = """
              sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 00000000000000000000000001000000:B9FF 00000000000000000000000001000000:D431 01 00000000:00000000 00:00000000 00000000  1000        0 5 1 0
               1: 00000000000000000000000001000000:D431 00000000000000000000000001000000:B9FF 01 00000000:00000000 00:00000000 00000000  1001        0 6 1 0
            """
        let loopback6 = [UInt8](repeating: 0, count: 15) + [1]
        #expect(LoopbackPeer.uid(in: six, client: .init(address: loopback6, port: 0xD431), server: .init(address: loopback6, port: 0xB9FF)) == 1001)
    }
}

/// Pairing codes in a known order, so the test can tell old from new.
final class CodeSequence: Sendable {
    private let codes: [String]
    private let index = Atomic<Int>(0)
    init(_ codes: [String]) { self.codes = codes }
    func next() -> String { codes[index.wrappingAdd(1, ordering: .relaxed).oldValue] }
}

