import Foundation
import ProctorJSON
import ProctorTestSupport
import Synchronization

/// Events through the whole local API: a plugin child emits, the bus
/// sequences, the WebSocket delivers to identified clients reading on
/// their own threads.
struct APIBenchmark {
    let seconds: Double
    static let origin = "https://bench.example"

    func run() async throws -> [Figure] {
        var figures: [Figure] = []
        for clients in [1, 10, 50] {
            let perClient = try await throughput(clients: clients, offered: 100_000)
            figures.append(Figure(name: "events/s to each of \(clients) client\(clients == 1 ? "" : "s") (median), 100k/s offered",
                                  value: perClient, unit: "events/s", target: clients == 1 ? 50_000 : nil, higherIsBetter: true))
            figures.append(Figure(name: "  total events/s delivered to \(clients) client\(clients == 1 ? "" : "s")",
                                  value: perClient * Double(clients), unit: "events/s", target: nil, higherIsBetter: true))
        }
        let latency = try await latency(clients: 10, rate: 1000)
        figures.append(Figure(name: "emit -> client latency, 10 clients, 1,000 events/s, median", value: latency.median, unit: "ms", target: nil, higherIsBetter: false))
        figures.append(Figure(name: "emit -> client latency, 10 clients, 1,000 events/s, p99", value: latency.p99, unit: "ms", target: 5, higherIsBetter: false))
        let growth = try await memoryWhileStalled()
        figures.append(Figure(name: "agent RSS growth over 10 s while a client stalls", value: growth, unit: "MiB", target: nil, higherIsBetter: false))
        return figures
    }

    private func harness(_ chaos: JSONValue) async throws -> APIHarness {
        // High-rate topics are thinnable, so a client that falls behind is thinned, not closed.
        try await APIHarness(allowedOrigins: [Self.origin], thinTopics: ["chaos.flood", "chaos.pulse"]) {
            $0.add(id: "bench", library: "test-chaos", config: chaos)
        }
    }

    /// A plugin emitting `offered` events a second and `clients` readers; the
    /// median client's delivered rate.
    private func throughput(clients count: Int, offered: Int) async throws -> Double {
        let api = try await harness(["mode": "pulse", "rate_hz": .number(Double(offered))])
        var clients: [WebSocketTestClient] = []
        for _ in 0..<count { clients.append(try await api.paired(topics: ["chaos.pulse"], origin: Self.origin).0) }
        let counts = Counters(count)
        let stop = Atomic<Bool>(false)
        let readers = clients.enumerated().map { index, client in
            Thread { [counts] in
                while !stopFlag(stop), let message = try? client.receiveNow(timeout: 0.5) {
                    if case .text = message { counts.add(index) }
                }
            }
        }
        readers.forEach { $0.start() }
        try await Task.sleep(for: .seconds(1))  // warm up
        let start = counts.snapshot()
        let began = ContinuousClock.now
        try await Task.sleep(for: .seconds(seconds))
        let elapsed = (ContinuousClock.now - began).seconds
        let end = counts.snapshot()
        stop.store(true, ordering: .relaxed)
        await api.stop()
        let rates = zip(start, end).map { Double($1 - $0) / elapsed }.sorted()
        return rates[rates.count / 2]
    }

    /// A plugin emitting at `rate` with its emit time; each client notes when it got each event.
    private func latency(clients count: Int, rate: Int) async throws -> (median: Double, p99: Double) {
        let api = try await harness(["mode": "pulse", "rate_hz": .number(Double(rate))])
        var clients: [WebSocketTestClient] = []
        for _ in 0..<count { clients.append(try await api.paired(topics: ["chaos.pulse"], origin: Self.origin).0) }
        let delays = Mutex<[Double]>([])
        let measuring = Atomic<Bool>(false)
        let stop = Atomic<Bool>(false)
        let readers = clients.map { client in
            Thread {
                while !stopFlag(stop), let message = try? client.receiveNow(timeout: 0.5) {
                    guard case .text(let text) = message else { continue }
                    let received = monotonicNanoseconds()
                    guard measuring.load(ordering: .relaxed), let sent = pulseTime(text) else { continue }
                    delays.withLock { $0.append(Double(received &- sent) / 1e6) }
                }
            }
        }
        readers.forEach { $0.start() }
        try await Task.sleep(for: .seconds(1))
        measuring.store(true, ordering: .relaxed)
        try await Task.sleep(for: .seconds(seconds))
        measuring.store(false, ordering: .relaxed)
        stop.store(true, ordering: .relaxed)
        await api.stop()
        let sorted = delays.withLock { $0 }.sorted()
        return (percentile(sorted, 0.5), percentile(sorted, 0.99))
    }

    /// A flooding plugin and one client that never reads after pairing.
    private func memoryWhileStalled() async throws -> Double {
        let api = try await harness(["mode": "flood", "payload_bytes": 200])
        let (client, _) = try await api.paired(topics: ["chaos.flood"], origin: Self.origin)
        try await Task.sleep(for: .seconds(3))  // the bounded buffers fill
        let before = Processes.residentKiB(getpid()) ?? 0
        try await Task.sleep(for: .seconds(10))
        let after = Processes.residentKiB(getpid()) ?? 0
        _ = client
        await api.stop()
        return Double(after - before) / 1024
    }
}

/// Per-client counts, written by reader threads.
final class Counters: Sendable {
    private let counts: Mutex<[Int]>
    init(_ count: Int) { counts = Mutex(Array(repeating: 0, count: count)) }
    func add(_ index: Int) { counts.withLock { $0[index] += 1 } }
    func snapshot() -> [Int] { counts.withLock { $0 } }
}

private func stopFlag(_ flag: borrowing Atomic<Bool>) -> Bool { flag.load(ordering: .relaxed) }

/// The `t_ns` of a chaos.pulse event, found without parsing the whole message.
func pulseTime(_ text: String) -> UInt64? {
    guard let range = text.range(of: "\"t_ns\":") else { return nil }
    return UInt64(text[range.upperBound...].prefix { $0.isNumber })
}
