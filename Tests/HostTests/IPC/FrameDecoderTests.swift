@testable import ProctorHost
import Testing

@Suite struct FrameDecoderTests {
    @Test func roundTripsFramesSplitAtEveryByte() throws {
        let frames = [Frame.event(topic: "a.b", data: "{\"x\":1}"), Frame(.pong, Frame.bytes(of: UInt64(42))),
                      Frame(.started), Frame(.request, id: 7, text: "{\"method\":\"ping\"}")]
        let wire = frames.flatMap { $0.encoded() }
        var decoder = FrameDecoder()
        var decoded: [Frame] = []
        for byte in wire {
            decoder.append([byte])
            while let frame = try decoder.next() { decoded.append(frame) }
        }
        #expect(decoded == frames)
        #expect(decoded[3].idAndText! == (7, "{\"method\":\"ping\"}"))
        #expect(decoder.pendingCount == 0)
    }

    @Test func refusesAnOversizedLengthBeforeBufferingIt() {
        var decoder = FrameDecoder()
        decoder.append([0xFF, 0xFF, 0xFF, 0x7F, 0x04])
        #expect(throws: FrameDecoder.Failure.tooLong(0x7FFF_FFFF)) { try decoder.next() }
    }

    @Test func refusesUnknownKindsAndEmptyFrames() {
        var unknown = FrameDecoder()
        unknown.append([1, 0, 0, 0, 0x99])
        #expect(throws: FrameDecoder.Failure.unknownKind(0x99)) { try unknown.next() }
        var empty = FrameDecoder()
        empty.append([0, 0, 0, 0])
        #expect(throws: FrameDecoder.Failure.empty) { try empty.next() }
    }
}
