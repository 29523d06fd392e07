import Foundation
import ProctorAPI
import ProctorJSON
import ProctorTestSupport
import Testing

/// Random and mutated HTTP requests and WebSocket frames against a real
/// `proctord run`, for a bounded time: 20 s in `make test`,
/// PROCTORD_FUZZ_SECONDS in `make fuzz`. The agent must never crash, never
/// grow without bound and keep answering. PROCTORD_FUZZ_SEED replays a run
/// (each run prints its seed).
@Suite(.serialized) struct FrontFuzzTests {
    let dir = TemporaryDirectory()

    /// Seedable, good enough to pick mutations.
    typealias Random = SplitMix

    static func templates(port: Int) -> [String] {
        let host = "127.0.0.1:\(port)"
        return [
            "GET /healthz HTTP/1.1\r\nHost: \(host)\r\n\r\n",
            "GET /v1 HTTP/1.1\r\nHost: \(host)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: http://\(host)\r\n\r\n",
            "POST /local/sessions/revoke HTTP/1.1\r\nHost: \(host)\r\nOrigin: http://\(host)\r\nContent-Length: 5\r\n\r\nhello",
            "GET /local/status HTTP/1.1\r\nHost: \(host)\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        ]
    }

    /// One mutated request: bytes flipped, inserted, cut or repeated.
    static func mutate(_ text: String, _ random: inout Random) -> [UInt8] {
        var bytes = Array(text.utf8)
        for _ in 0...random.below(4) {
            switch random.below(6) {
            case 0 where !bytes.isEmpty: bytes[random.below(bytes.count)] = UInt8(truncatingIfNeeded: random.next())
            case 1: bytes.insert(contentsOf: random.bytes(random.below(64)), at: random.below(bytes.count + 1))
            case 2 where !bytes.isEmpty: bytes = Array(bytes.prefix(random.below(bytes.count)))
            case 3: bytes.insert(contentsOf: Array("X-Junk: \(String(repeating: "a", count: random.below(20_000)))\r\n".utf8), at: min(bytes.count, 18))
            case 4: bytes.insert(contentsOf: Array("Host: evil.example\r\n".utf8), at: min(bytes.count, 18))
            default: bytes += random.bytes(random.below(512))
            }
        }
        return bytes
    }

    /// Frames with random opcodes, flags, masks and lengths, some lying about their size.
    static func frames(_ random: inout Random) -> [UInt8] {
        var out: [UInt8] = []
        for _ in 0...random.below(6) {
            let payload = random.bytes(random.below(300))
            if random.below(5) == 0 {
                out += random.bytes(random.below(40))  // plain garbage
                continue
            }
            let opcode = UInt8(random.below(16))
            var frame = WebSocketTestClient.frame(opcode: opcode, payload: payload, fin: random.below(3) != 0, masked: random.below(8) != 0)
            if random.below(6) == 0 { frame[0] ^= 0x70 }  // reserved bits
            if random.below(6) == 0, frame.count > 1 { frame[1] = (frame[1] & 0x80) | 127 }  // a huge declared length
            out += frame
        }
        return out
    }

    @Test func randomAndMutatedTrafficNeverStopsTheAgent() async throws {
        let seconds = Double(ProcessInfo.processInfo.environment["PROCTORD_FUZZ_SECONDS"] ?? "") ?? 20
        let seed = UInt64(ProcessInfo.processInfo.environment["PROCTORD_FUZZ_SEED"] ?? "") ?? UInt64.random(in: 1...UInt64.max)
        print("front fuzz: seed \(seed), \(seconds) s")
        var builder = ConfigBuilder()
        builder.add(id: "heartbeat", library: "heartbeat", config: ["interval_ms": 500])
        let agent = try AgentProcess(arguments: ["run", "--config", builder.write(to: dir), "--state-dir", dir.path + "/state"],
                                     environment: ["XDG_RUNTIME_DIR": dir.path])
        let port = try #require(await agent.apiPort())
        let origin = "http://127.0.0.1:\(port)"
        _ = try await HTTPGet.get(port: port, path: "/healthz")
        let residentBefore = try #require(Processes.residentKiB(agent.pid))
        let templates = Self.templates(port: port)
        let (sent, upgrades) = try await offPool { () -> (Int, Int) in
            var random = Random(state: seed)
            let end = Date(timeIntervalSinceNow: seconds)
            var sent = 0, upgrades = 0
            while Date() < end {
                if random.below(3) == 0, let client = try? WebSocketTestClient.connectNow(port: port, origin: origin) {
                    // A real WebSocket, then frames nobody should send.
                    upgrades += 1
                    try? client.sendBytesNow(Self.frames(&random))
                    _ = try? client.receiveNow(timeout: 0.05)
                } else {
                    guard let connection = try? RawTCP(port: port) else { continue }
                    try? connection.send(bytes: Self.mutate(templates[random.below(templates.count)], &random))
                    _ = connection.readAvailable(timeout: 0.05)
                }
                sent += 1
            }
            return (sent, upgrades)
        }
        print("front fuzz: \(sent) connections, \(upgrades) of them WebSockets")
        #expect(agent.process.isRunning, "the agent died: \(agent.log.suffix(10))")
        // Still answering, and still pairing.
        let (status, _) = try await HTTPGet.get(port: port, path: "/healthz")
        #expect(status == 200)
        let code = try #require(agent.pairingCode)
        let (_, identified) = try await Pairing.pair(port: port, code: code, origin: origin, topics: ["heartbeat.tick"])
        #expect(identified["session"] != nil)
        // Memory returns near where it was; connections do not pile up.
        let residentAfter = try #require(Processes.residentKiB(agent.pid))
        print("front fuzz: resident \(residentBefore) KiB before, \(residentAfter) KiB after")
        #expect(residentAfter < residentBefore + 64 * 1024, "grew from \(residentBefore) to \(residentAfter) KiB")
        #expect(await eventually(timeout: .seconds(30)) { Processes.openDescriptors(agent.pid) < 100 },
                "descriptors left open: \(Processes.openDescriptors(agent.pid))")
    }
}
