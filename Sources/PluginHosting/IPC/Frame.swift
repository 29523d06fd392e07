/// One message between proctord and a plugin child, as it travels on their
/// socket pair: a little-endian UInt32 length (of kind + payload), one kind
/// byte, then the payload. Lengths are checked against `maximumLength` before
/// anything is buffered, so a child writing garbage cannot make the host
/// allocate without bound.
public struct Frame: Sendable, Equatable {
    public enum Kind: UInt8, Sendable {
        // child -> host
        case hello = 0x01        // JSON manifest of the loaded plugin
        case started = 0x02      // empty: start returned OK
        case startFailed = 0x03  // UTF-8 reason
        case event = 0x04        // u8 topic length, topic, JSON object
        case log = 0x05          // u8 severity, UTF-8 message
        case health = 0x06       // u8 health, UTF-8 reason
        case response = 0x07     // u64 request id, JSON
        case pong = 0x08         // u64 nonce
        case dropped = 0x09      // u64 events dropped in the child so far
        case stopped = 0x0A      // empty: stop and destroy returned
        // host -> child
        case start = 0x41        // JSON config
        case request = 0x42      // u64 request id, JSON request
        case ping = 0x43         // u64 nonce
        case stop = 0x44         // empty
    }

    /// The largest kind + payload accepted: room for a 4 MiB response.
    public static let maximumLength = 4 << 20
    public static let headerSize = 5

    public var kind: Kind
    public var payload: [UInt8]

    public init(_ kind: Kind, _ payload: [UInt8] = []) {
        self.kind = kind
        self.payload = payload
    }

    public init(_ kind: Kind, text: String) { self.init(kind, Array(text.utf8)) }

    public init(_ kind: Kind, id: UInt64, text: String) {
        var payload = Self.bytes(of: id)
        payload.append(contentsOf: text.utf8)
        self.init(kind, payload)
    }

    public static func event(topic: String, data: String) -> Frame {
        var payload = [UInt8(truncatingIfNeeded: topic.utf8.count)]
        payload.reserveCapacity(1 + topic.utf8.count + data.utf8.count)
        payload.append(contentsOf: topic.utf8)
        payload.append(contentsOf: data.utf8)
        return Frame(.event, payload)
    }

    public static func log(level: Int32, message: String) -> Frame {
        Frame(.log, [UInt8(clamping: level)] + Array(message.utf8))
    }

    public static func health(_ health: Int32, reason: String?) -> Frame {
        Frame(.health, [UInt8(clamping: health)] + Array((reason ?? "").utf8))
    }

    /// The frame as bytes on the wire.
    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        append(to: &out)
        return out
    }

    public func append(to out: inout [UInt8]) {
        let length = UInt32(1 + payload.count)
        out.append(contentsOf: Self.bytes(of: length))
        out.append(kind.rawValue)
        out.append(contentsOf: payload)
    }

    /// The payload as text.
    public var text: String { String(decoding: payload, as: UTF8.self) }

    /// The leading u64 of the payload (request id or nonce) and the rest as text.
    public var idAndText: (UInt64, String)? {
        guard payload.count >= 8 else { return nil }
        let id = payload[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        return (id, String(decoding: payload[8...], as: UTF8.self))
    }

    package static func bytes(of value: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
    }

    package static func bytes(of value: UInt32) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * UInt32($0))) }
    }
}
