import ProctorAPI
import ProctorHost
import ProctorJSON
import ProctorTestSupport
import Testing

/// Statements of docs/protocol.md that a client relies on, checked against
/// the code: the rules for `identify`, `id`, and the shape of `plugins.list`.
@Suite(.serialized) struct ProtocolDocumentTests {
    static let proof = String(repeating: "ab", count: 32)

    func code(_ message: ClientMessage) -> String? {
        if case .invalid(let code, _, _) = message { return code }
        return nil
    }

    /// "auth: exactly one of": both is a malformed identify, not a pairing.
    @Test func identifyWithBothAProofAndATokenIsMalformed() {
        let both = ClientMessage.parse(#"{"op":"identify","d":{"protocol":1,"auth":{"pairing":"\#(Self.proof)","token":"abc"}}}"#)
        guard case .invalid(let code, let message, let id) = both else {
            Issue.record("identify with both a proof and a token was accepted: \(both)")
            return
        }
        #expect(code == "malformed" && message.contains("not both") && id == nil)
        #expect(self.code(ClientMessage.parse(#"{"op":"identify","d":{"protocol":1,"auth":{}}}"#)) == "malformed")
        if case .identify(let identify) = ClientMessage.parse(#"{"op":"identify","d":{"protocol":1,"auth":{"token":"abc"}}}"#) {
            #expect(identify.auth == .token("abc"))
        } else {
            Issue.record("identify with a token alone was refused")
        }
    }

    /// A missing or non-integer `protocol` is `malformed` (an `error`, the
    /// connection stays); an integer other than 1 closes with 4005.
    @Test func protocolVersionRules() {
        for d in [#"{"auth":{"token":"a"}}"#, #"{"protocol":"1","auth":{"token":"a"}}"#, #"{"protocol":1.5,"auth":{"token":"a"}}"#] {
            var machine = ConnectionStateMachine()
            let action = machine.received(ClientMessage.parse(#"{"op":"identify","d":\#(d)}"#))
            guard case .reportError(let code, _, _) = action else {
                Issue.record("\(d): \(action)")
                continue
            }
            #expect(code == "malformed" && machine.state == .awaitingIdentify)
        }
        var machine = ConnectionStateMachine()
        let action = machine.received(ClientMessage.parse(#"{"op":"identify","d":{"protocol":2,"auth":{"token":"a"}}}"#))
        #expect(action == .close(.unsupportedProtocol, reason: "unsupported protocol 2; this agent speaks 1"))
    }

    /// `id`: a string of at most 64 bytes or a number; anything else is
    /// `malformed` and the error carries no id.
    @Test func idRules() {
        let long = String(repeating: "x", count: 65)
        #expect(ClientMessage.parse(#"{"op":"heartbeat","id":"\#(long)"}"#) == .invalid(
            code: "malformed", message: "\"id\" must be a string or number of at most 64 characters", id: nil))
        #expect(code(ClientMessage.parse(#"{"op":"heartbeat","id":{"a":1}}"#)) == "malformed")
        #expect(code(ClientMessage.parse(#"{"op":"heartbeat","id":true}"#)) == "malformed")
        #expect(ClientMessage.parse(#"{"op":"heartbeat","id":"\#(String(long.dropFirst()))"}"#) == .heartbeat)
        #expect(ClientMessage.parse(#"{"op":"heartbeat","id":12345678901234}"#) == .heartbeat)
    }

    /// Every `plugins.list` entry carries `reason`, null when there is none.
    @Test func pluginsListEntriesAlwaysCarryAReason() async throws {
        let api = try await APIHarness(allowedOrigins: []) { config in
            config.add(id: "heartbeat", library: "heartbeat", config: ["interval_ms": 1000])
        }
        defer { Task { await api.stop() } }
        let (client, _) = try await api.paired()
        try await client.send(#"{"op":"request","id":1,"d":{"target":"host","method":"plugins.list"}}"#)
        let answer = try JSONParser.parse(try await client.receive(until: { $0.contains(#""op":"response","id":1"#) }))
        let plugins = answer["d"]?["result"]?["plugins"]?.arrayValue ?? []
        #expect(plugins.map { $0["id"] } == ["host", "heartbeat"])
        for plugin in plugins {
            #expect(plugin["reason"] == .null, "\(plugin)")
        }
    }
}
