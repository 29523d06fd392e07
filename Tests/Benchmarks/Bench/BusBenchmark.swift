import Foundation
import Logging
import ProctorHost
import ProctorJSON
import ProctorTestSupport

/// Events through the whole path the agent uses: a plugin child emits,
/// the relay carries, the bus sequences, a subscriber receives.
struct BusBenchmark {
    let seconds: Double

    func run() async throws -> [Figure] {
        let throughput = try await measureThroughput()
        let latency = try await measureLatency(rate: 1000)
        let stored = try await measureLatency(rate: 1000, interview: true)
        return [
            Figure(name: "bus throughput, child plugin -> subscriber", value: throughput, unit: "events/s",
                   target: 100_000, higherIsBetter: true),
            Figure(name: "emit -> delivery latency at 1,000 events/s, median", value: latency.median, unit: "ms",
                   target: nil, higherIsBetter: false),
            Figure(name: "emit -> delivery latency at 1,000 events/s, p99", value: latency.p99, unit: "ms",
                   target: 2, higherIsBetter: false),
            Figure(name: "the same with an interview's store attached, median", value: stored.median, unit: "ms",
                   target: nil, higherIsBetter: false),
            Figure(name: "the same with an interview's store attached, p99", value: stored.p99, unit: "ms",
                   target: 2, higherIsBetter: false),
        ]
    }

    private func agent(_ chaos: JSONValue) throws -> (Agent, TemporaryDirectory) {
        let dir = TemporaryDirectory("proctord-bench")
        var builder = ConfigBuilder()
        builder.add(id: "bench", library: "test-chaos", config: chaos)
        let config = try ConfigLoader.load(file: builder.write(to: dir))
        var paths = AgentPaths.fromEnvironment()
        paths.stateDirectory = dir.path + "/state"
        return (Agent(config: config, paths: paths, logger: .silent, executable: TestBuild.proctord), dir)
    }

    /// A plugin emitting as fast as it can; what the subscriber receives per second.
    private func measureThroughput() async throws -> Double {
        let (agent, _) = try agent(["mode": "flood", "payload_bytes": 64])
        let subscription = agent.bus.subscribe(name: "bench", patterns: [TopicPattern("chaos.flood")!], capacity: 1 << 17)
        try await agent.start()
        _ = await subscription.nextBatch(maximum: 1)
        let warmUp = ContinuousClock.now + .seconds(1)
        while ContinuousClock.now < warmUp { _ = await subscription.nextBatch(maximum: 4096) }
        let start = ContinuousClock.now
        let end = start + .seconds(seconds)
        var received = 0
        while ContinuousClock.now < end { received += await subscription.nextBatch(maximum: 4096).count }
        let elapsed = ContinuousClock.now - start
        subscription.cancel()
        await agent.stopAll()
        return Double(received) / elapsed.seconds
    }

    /// A plugin emitting at `rate` a second with the monotonic time of each
    /// emit; the delay until the subscriber holds it. With `interview`, an
    /// interview runs meanwhile: its store writes every event to its file on
    /// disk (the integrity rules run too, but read none of these topics).
    private func measureLatency(rate: Int, interview: Bool = false) async throws -> (median: Double, p99: Double) {
        let (agent, _) = try agent(["mode": "pulse", "rate_hz": .number(Double(rate))])
        let subscription = agent.bus.subscribe(name: "bench", patterns: [TopicPattern("chaos.pulse")!], capacity: 1 << 16)
        try await agent.start()
        if interview { _ = try await agent.interviews.start(title: "bench", guidelines: nil, session: "s_bench", pluginStates: []) }
        var delays: [Double] = []
        let end = ContinuousClock.now + .seconds(1 + seconds)
        let warmUp = ContinuousClock.now + .seconds(1)
        while ContinuousClock.now < end {
            for event in await subscription.nextBatch(maximum: 256) {
                let received = monotonicNanoseconds()
                guard ContinuousClock.now > warmUp, let sent = try? JSONParser.parse(event.data)["t_ns"]?.doubleValue else { continue }
                delays.append((Double(received) - sent) / 1e6)
            }
        }
        subscription.cancel()
        if interview {
            let summary = try await agent.interviews.end(reason: "request")
            // Every pulse must have reached the file, or the figure would flatter the store.
            if (summary["missed"]?.intValue ?? 0) > 0 { FileHandle.standardOutput.write(Data("  (the store missed \(summary["missed"]!) events)\n".utf8)) }
        }
        await agent.stopAll()
        delays.sort()
        return (percentile(delays, 0.5), percentile(delays, 0.99))
    }
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
}

func monotonicNanoseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
