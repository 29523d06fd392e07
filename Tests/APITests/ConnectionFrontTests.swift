import Foundation
import NIOCore
import NIOEmbedded
@testable import ProctorAPI
import ProctorHost
import ProctorTestSupport
import Synchronization
import Testing

/// The pieces in front of every connection, without a server: the socket
/// owner lookup on real sockets, the connection table, request targets, the
/// mask check and the log's escaping.
@Suite struct ConnectionFrontTests {
    /// A real loopback connection: the listener's port and the client's.
    func connectedPair() throws -> (listener: Int32, client: Int32, accepted: Int32, clientPort: Int, serverPort: Int) {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = bind(listener, $0, length) } }
        listen(listener, 4)
        withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(listener, $0, &length) } }
        let serverPort = Int(UInt16(bigEndian: address.sin_port))
        let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = connect(client, $0, length) } }
        let accepted = accept(listener, nil, nil)
        var local = sockaddr_in()
        withUnsafeMutablePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(client, $0, &length) } }
        return (listener, client, accepted, Int(UInt16(bigEndian: local.sin_port)), serverPort)
    }

    @Test func netlinkFindsTheOwnerOfExactlyTheClientSocket() throws {
        let pair = try connectedPair()
        defer { [pair.listener, pair.client, pair.accepted].forEach { close($0) } }
        let loopback: [UInt8] = [127, 0, 0, 1]
        let client = LoopbackPeer.Endpoint(address: loopback, port: pair.clientPort)
        let server = LoopbackPeer.Endpoint(address: loopback, port: pair.serverPort)
        #expect(LoopbackPeer.netlinkOwner(client: client, server: server) == .owner(getuid()))
        // The /proc tables agree with the kernel's answer.
        #expect(LoopbackPeer.uid(client: client, server: server) == getuid())
        // Another address pair (the agent's own end seen the wrong way round,
        // another loopback address, a port off by one) is no one's socket.
        #expect(LoopbackPeer.netlinkOwner(client: LoopbackPeer.Endpoint(address: [127, 0, 0, 2], port: pair.clientPort), server: server) == .notFound)
        #expect(LoopbackPeer.netlinkOwner(client: client, server: LoopbackPeer.Endpoint(address: loopback, port: pair.serverPort + 1)) == .notFound)
        #expect(LoopbackPeer.netlinkOwner(client: LoopbackPeer.Endpoint(address: loopback, port: pair.serverPort), server: server) == .notFound,
                "the listener on the server's port is not the client's socket")
    }

    @Test func withoutNetlinkTheLookupFallsBackToProcAndSaysSoOnce() {
        let warnings = Mutex<[String]>([])
        let lookup = PeerOwnerLookup(
            logger: .capturing { message in warnings.withLock { $0.append(message) } },
            netlink: { _, _ in .unavailable("Operation not permitted") }, procfs: { client, _ in client.port == 1 ? 1000 : nil })
        let server = LoopbackPeer.Endpoint(address: [127, 0, 0, 1], port: 47615)
        #expect(lookup.owner(client: LoopbackPeer.Endpoint(address: [127, 0, 0, 1], port: 1), server: server) == 1000)
        #expect(lookup.owner(client: LoopbackPeer.Endpoint(address: [127, 0, 0, 1], port: 2), server: server) == nil)
        #expect(warnings.withLock { $0.count } == 1)
        #expect(warnings.withLock { $0.first?.contains("netlink socket diagnostics refused (Operation not permitted)") } == true)
    }

    @Test func aFloodOfPendingConnectionsEvictsTheOldestNeverAnIdentifiedOne() throws {
        var limits = ConnectionTable.Limits()
        limits.maximumPending = 3
        limits.maximumTotal = 5
        let table = ConnectionTable(limits: limits)
        let channels = (0..<8).map { _ in EmbeddedChannel() }
        for channel in channels { try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait() }
        #expect(table.admit(channels[0]) == .admitted)
        table.identified(channels[0])
        #expect(table.admit(channels[1]) == .admitted)
        table.identified(channels[1])
        for channel in channels[2...4] { #expect(table.admit(channel) == .admitted) }
        #expect(table.counts.total == 5 && table.counts.pending == 3)
        #expect(table.admit(channels[5]) == .admittedByEvicting)
        #expect(!channels[2].isActive && channels[3].isActive, "the oldest pending connection made room")
        #expect(channels[0].isActive && channels[1].isActive, "identified connections are never evicted")
        table.remove(channels[2])  // its close arrives later: no double count
        #expect(table.counts.total == 5 && table.counts.pending == 3)
        for channel in channels[3...5] { table.identified(channel) }
        #expect(table.admit(channels[6]) == .full, "every slot holds an identified connection")
        table.remove(channels[0])
        #expect(table.admit(channels[7]) == .admitted)
    }

    @Test func absoluteFormTargetsAreSplitIntoAuthorityAndPath() {
        #expect(AbsoluteTarget("/v1") == nil)
        let target = AbsoluteTarget("http://127.0.0.1:47615/healthz?x=1")
        #expect(target?.authority == "127.0.0.1:47615" && target?.path == "/healthz?x=1")
        #expect(AbsoluteTarget("HTTP://evil.example:47615")?.authority == "evil.example:47615")
        #expect(AbsoluteTarget("http://evil.example:47615")?.path == "/")
        #expect(AbsoluteTarget("http://user@127.0.0.1:47615/")?.authority == nil, "user info is refused")
        #expect(AbsoluteTarget("https://127.0.0.1:47615/")?.authority == nil, "the agent speaks plain http only")
        #expect(AbsoluteTarget("*")?.authority == nil)
    }

    @Test func theMaskCheckFollowsFrameBoundariesAcrossReads() {
        let masked = WebSocketTestClient.frame(opcode: 0x1, payload: Array(repeating: 0x41, count: 300))
        let big = WebSocketTestClient.frame(opcode: 0x2, payload: Array(repeating: 0, count: 70_000))
        let unmasked = WebSocketTestClient.frame(opcode: 0x1, payload: Array("hi".utf8), masked: false)
        func scan(_ chunks: [[UInt8]]) -> Bool {
            let check = UnmaskedFrameGuard()
            return chunks.allSatisfy { check.scan(ByteBuffer(bytes: $0).readableBytesView) }
        }
        let stream = masked + big + masked
        #expect(scan([stream]))
        // Split one byte at a time through the header and at odd places in payloads.
        #expect(scan(stride(from: 0, to: stream.count, by: 7).map { Array(stream[$0..<min($0 + 7, stream.count)]) }))
        #expect(!scan([masked + unmasked]))
        #expect(!scan([Array((masked + unmasked).prefix(masked.count + 2))]), "known as soon as the second header byte arrives")
        // Payload bytes that look like an unmasked header on the wire (a zero
        // masking key leaves them as they are) are payload, not a frame.
        let lookalike = WebSocketTestClient.frame(opcode: 0x1, payload: [0x81, 0x02, 0x68, 0x69], mask: [0, 0, 0, 0])
        #expect(Array(lookalike.suffix(4)) == [0x81, 0x02, 0x68, 0x69])
        #expect(scan([lookalike]) && scan([masked + lookalike + masked]))
    }

    @Test func theLogEscapesControlsAndBidirectionalOverrides() {
        #expect("plain text, ünïcode ✓".escapingControls() == "plain text, ünïcode ✓")
        #expect("a\nb".escapingControls() == "a\\nb")
        #expect("origin https://evil\u{202E}elpmaxe.com".escapingControls() == "origin https://evil\\u{202e}elpmaxe.com")
        #expect("\u{1B}[31mred\u{7}".escapingControls() == "\\u{1b}[31mred\\u{7}")
        #expect("\u{2066}x\u{2069}\u{200F}".escapingControls() == "\\u{2066}x\\u{2069}\\u{200f}")
    }
}
