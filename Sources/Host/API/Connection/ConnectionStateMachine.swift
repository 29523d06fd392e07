import ProctorJSON

/// One WebSocket client's handshake as a pure state machine: hello sent,
/// waiting for identify; identify being checked; identified; closing. Each
/// input yields what to do, so every edge is testable without a socket.
public struct ConnectionStateMachine: Sendable {
    public enum State: Sendable, Equatable {
        case awaitingIdentify
        case authenticating
        case identified
        case closing(CloseCode)
    }

    public enum Action: Sendable, Equatable {
        /// Check this identify's credentials.
        case authenticate(ClientMessage.Identify)
        /// Act on a message from an identified client.
        case handle(ClientMessage)
        /// Tell the client its message was unusable; the connection stays.
        case reportError(code: String, message: String, id: JSONValue?)
        case close(CloseCode, reason: String)
        case ignore
    }

    public private(set) var state: State = .awaitingIdentify

    public init() {}

    public mutating func received(_ message: ClientMessage) -> Action {
        switch (state, message) {
        case (.closing, _):
            return .ignore
        case (_, .invalid(let code, let text, let id)):
            return .reportError(code: code, message: text, id: id)
        case (.awaitingIdentify, .identify(let identify)):
            guard identify.protocolVersion == 1 else {
                return close(.unsupportedProtocol, "unsupported protocol \(identify.protocolVersion); this agent speaks 1")
            }
            state = .authenticating
            return .authenticate(identify)
        case (.awaitingIdentify, _), (.authenticating, _):
            return close(.notIdentified, "identify first")
        case (.identified, .identify):
            return close(.alreadyIdentified, "already identified")
        case (.identified, _):
            return .handle(message)
        }
    }

    public enum AuthenticationResult: Sendable, Equatable {
        case accepted
        case refused(CloseCode, reason: String)
    }

    public mutating func authenticated(_ result: AuthenticationResult) -> Action {
        guard state == .authenticating else { return .ignore }
        switch result {
        case .accepted:
            state = .identified
            return .ignore
        case .refused(let code, let reason):
            return close(code, reason)
        }
    }

    public mutating func identifyTimedOut() -> Action {
        guard state == .awaitingIdentify || state == .authenticating else { return .ignore }
        return close(.identifyTimeout, "no identify within \(APILimits.identifyTimeoutMilliseconds / 1000) s")
    }

    /// A close the agent decided elsewhere (revoked, too slow, shutting down).
    public mutating func closeRequested(_ code: CloseCode, reason: String) -> Action {
        if case .closing = state { return .ignore }
        return close(code, reason)
    }

    private mutating func close(_ code: CloseCode, _ reason: String) -> Action {
        state = .closing(code)
        return .close(code, reason: reason)
    }
}
