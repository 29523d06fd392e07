import NIOCore

/// Fails a WebSocket whose client sends an unmasked frame (RFC 6455 §5.1:
/// the server must close with 1002). NIO's frame decoder unmasks what is
/// masked and passes the rest without a word, and hummingbird's frames no
/// longer say which was which, so this reads the frame headers in the raw
/// byte stream, in front of the decoder, and lets the bytes through
/// unchanged. It is added while the upgrade is decided, so it sits before
/// the codec the upgrade appends and sees the stream from its first byte.
final class UnmaskedFrameGuard: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Where the reader is in the frame stream.
    private var header: [UInt8] = []
    private var payloadLeft: UInt64 = 0
    private var failed = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if failed { return }
        let buffer = unwrapInboundIn(data)
        if scan(buffer.readableBytesView) {
            context.fireChannelRead(data)
            return
        }
        failed = true
        var close = context.channel.allocator.buffer(capacity: 40)
        let reason = "unmasked client frame"
        close.writeBytes([0x88, UInt8(2 + reason.utf8.count), 0x03, 0xEA])  // FIN + close, 1002
        close.writeString(reason)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(close)).whenComplete { _ in channel.close(promise: nil) }
    }

    /// Follows frame boundaries through `bytes`; false at the first frame
    /// whose mask bit is clear.
    func scan(_ bytes: ByteBufferView) -> Bool {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if payloadLeft > 0 {
                let skip = Int(min(payloadLeft, UInt64(bytes.endIndex - index)))
                index += skip
                payloadLeft -= UInt64(skip)
                continue
            }
            header.append(bytes[index])
            index += 1
            guard header.count >= 2 else { continue }
            guard header[1] & 0x80 != 0 else { return false }
            let short = header[1] & 0x7F
            let lengthBytes = short == 126 ? 2 : short == 127 ? 8 : 0
            guard header.count == 2 + lengthBytes + 4 else { continue }
            var length = UInt64(short)
            if lengthBytes > 0 { length = header[2..<(2 + lengthBytes)].reduce(0) { $0 << 8 | UInt64($1) } }
            payloadLeft = length
            header.removeAll(keepingCapacity: true)
        }
        return true
    }
}
