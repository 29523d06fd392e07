/// Why the agent closes a WebSocket, as docs/protocol.md lists them.
public enum CloseCode: UInt16, Sendable {
    case normal = 1000
    case goingAway = 1001
    case messageTooBig = 1009
    case internalError = 1011
    case notIdentified = 4001
    case alreadyIdentified = 4002
    case authenticationFailed = 4003
    case tokenExpired = 4004
    case unsupportedProtocol = 4005
    case identifyTimeout = 4006
    case tooSlow = 4007
    case pairingLocked = 4008
    case sessionRevoked = 4009
}
