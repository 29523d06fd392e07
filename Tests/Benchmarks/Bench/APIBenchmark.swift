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
        let endings = Notes()
        let stop = Atomic<Bool>(false)
        let readers = clients.enumerated().map { index, client in
            Thread { [counts, endings] in
                while !stopFlag(stop) {
                    do {
                        switch try client.receiveNow(timeout: 0.5) {
                        case .text?: counts.add(index)
                        case .close(let code, let reason)?:
                            endings.add("closed \(code.map(String.init) ?? "-"): \(reason)")
                            return
                        default: continue  // quiet for half a second, or a frame that is not ours
                        }
                    } catch {
                        endings.add("\(error)")
                        return
                    }
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
        let ended = endings.all
        stop.store(true, ordering: .relaxed)
        await api.stop()
        // A client that ended early counts as delivering nothing; say why.
        for (reason, times) in Dictionary(grouping: ended, by: { $0 }).sorted(by: { $0.key < $1.key }) {
            FileHandle.standardError.write(Data("  note: \(times.count) of \(count) clients ended early: \(reason)\n".utf8))
        }
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

/// Lines that reader threads leave for the report.
final class Notes: Sendable {
    private let lines = Mutex<[String]>([])
    func add(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}

/// Per-client counts, written by reader threads. One atomic each: a shared
/// lock here would make the readers contend and measure the bench, not the agent.
final class Counters: Sendable {
    private final class Counter: Sendable { let value = Atomic<Int>(0) }
    private let counts: [Counter]
    init(_ count: Int) { counts = (0..<count).map { _ in Counter() } }
    func add(_ index: Int) { counts[index].value.add(1, ordering: .relaxed) }
    func snapshot() -> [Int] { counts.map { $0.value.load(ordering: .relaxed) } }
}

private func stopFlag(_ flag: borrowing Atomic<Bool>) -> Bool { flag.load(ordering: .relaxed) }

/// The `t_ns` of a chaos.pulse event, found without parsing the whole message.
func pulseTime(_ text: String) -> UInt64? {
    guard let range = text.range(of: "\"t_ns\":") else { return nil }
    return UInt64(text[range.upperBound...].prefix { $0.isNumber })
}
