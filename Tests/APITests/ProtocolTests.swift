import Foundation
import ProctorAPI
import ProctorHost
import ProctorJSON
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
        let document = try String(contentsOfFile: TestBuildPaths.root + "/docs/protocol.md", encoding: .utf8)
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

    @Test func pairingCodesExpireAreSingleUseAndLockOut() {
        let codes = CodeSequence(["111111", "222222", "333333", "444444", "555555"])
        var machine = PairingStateMachine(now: 0) { _ in codes.next() }
        #expect(machine.current(now: 10).code == "111111")
        #expect(machine.verify(now: 20) { $0 == "999999" } == .rejected(remaining: 4))
        #expect(machine.verify(now: 21) { $0 == "111111" } == .accepted)
        #expect(machine.current(now: 22).code == "222222", "a code is single use")
        let expired = machine.current(now: 22 + 300)
        #expect(expired.code == "333333" && expired.rotated, "a code expires after 5 minutes")
        for remaining in (1...4).reversed() {
            #expect(machine.verify(now: 400) { _ in false } == .rejected(remaining: remaining))
        }
        #expect(machine.verify(now: 401) { _ in false } == .locked(seconds: 60))
        #expect(machine.verify(now: 430) { _ in true } == .locked(seconds: 31), "even the right code waits out the lock")
        #expect(machine.code == "444444", "the lock-out replaced the code")
        #expect(machine.verify(now: 462) { $0 == "444444" } == .accepted)
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
        let checks = UpgradeGuard(port: BoundPort(47615), allowedOrigins: ["https://meet.example.com"], uid: 1000) { clientPort, _ in
            clientPort == 1 ? 1000 : 1001
        }
        #expect(checks.checkHost("127.0.0.1:47615") == nil && checks.checkHost("localhost:47615") == nil && checks.checkHost("[::1]:47615") == nil)
        #expect(checks.checkHost("evil.example:47615")?.reason == "host not allowed: evil.example:47615")
        #expect(checks.checkHost("127.0.0.1:8080") != nil && checks.checkHost("127.0.0.1") != nil && checks.checkHost(nil) != nil)
        #expect(checks.checkOrigin("https://meet.example.com") == nil && checks.checkOrigin("http://127.0.0.1:47615") == nil)
        #expect(checks.checkOrigin("https://meet.example.com/")?.reason == "origin not allowed: https://meet.example.com/")
        #expect(checks.checkOrigin("null") != nil && checks.checkOrigin(nil) != nil && checks.checkOrigin("https://MEET.example.com") != nil)
        #expect(checks.checkPeer(clientPort: 1) == nil)
        #expect(checks.checkPeer(clientPort: 2)?.reason == "connection from another user")
        #expect(checks.checkPeer(clientPort: nil) != nil)
    }

    @Test func thePeersUidComesFromTheSocketTable() {
        let table = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 0100007F:B9FF 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1 1 0
               1: 0100007F:D431 0100007F:B9FF 01 00000000:00000000 00:00000000 00000000  1001        0 2 1 0
               2: 0100007F:B9FF 0100007F:D431 01 00000000:00000000 00:00000000 00000000  1000        0 3 1 0
            """
        #expect(LoopbackPeer.uid(in: table, clientPort: 0xD431, serverPort: 0xB9FF) == 1001)
        #expect(LoopbackPeer.uid(in: table, clientPort: 0xD432, serverPort: 0xB9FF) == nil)
    }
}

/// Pairing codes in a known order, so the test can tell old from new.
final class CodeSequence: Sendable {
    private let codes: [String]
    private let index = Atomic<Int>(0)
    init(_ codes: [String]) { self.codes = codes }
    func next() -> String { codes[index.wrappingAdd(1, ordering: .relaxed).oldValue] }
}

enum TestBuildPaths {
    static var root: String {
        var url = URL(fileURLWithPath: #filePath)
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { url.deleteLastPathComponent() }
        return url.path
    }
}
