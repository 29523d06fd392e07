/// Cuts a byte stream into frames. Feed it what `read` returned; it keeps
/// partial frames between calls and refuses anything that is not a frame.
public struct FrameDecoder: Sendable {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case tooLong(Int)
        case empty
        case unknownKind(UInt8)

        public var description: String {
            switch self {
            case .tooLong(let n): "frame of \(n) bytes exceeds the \(Frame.maximumLength)-byte limit"
            case .empty: "frame without a kind byte"
            case .unknownKind(let k): "unknown frame kind 0x\(String(k, radix: 16))"
            }
        }
    }

    private var buffer: [UInt8] = []
    private var start = 0

    public init() {}

    /// Bytes received but not yet part of a whole frame.
    public var pendingCount: Int { buffer.count - start }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if start > 0 && start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        } else if start > 65536 && start * 2 > buffer.count {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    public mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    /// The next whole frame, nil when more bytes are needed.
    public mutating func next() throws(Failure) -> Frame? {
        guard pendingCount >= 4 else { return nil }
        let length = Int(buffer[start]) | Int(buffer[start + 1]) << 8 | Int(buffer[start + 2]) << 16
            | Int(buffer[start + 3]) << 24
        guard length > 0 else { throw .empty }
        guard length <= Frame.maximumLength else { throw .tooLong(length) }
        guard pendingCount >= 4 + length else { return nil }
        let kindByte = buffer[start + 4]
        guard let kind = Frame.Kind(rawValue: kindByte) else { throw .unknownKind(kindByte) }
        let payload = Array(buffer[(start + 5)..<(start + 4 + length)])
        start += 4 + length
        return Frame(kind, payload)
    }
}
