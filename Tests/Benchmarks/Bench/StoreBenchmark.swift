import Foundation
import Logging
import ProctorHost
import ProctorJSON
import ProctorTestSupport

/// The interview store under a flood: events published as fast as the bus
/// takes them, gaze-sample sized, written to a real file on disk. The
/// figure is what reached the file per second, from the first publish to the
/// last write; what the store could not keep up with was dropped from its
/// queue (never holding up the publisher) and is reported beside it.
struct StoreBenchmark {
    let seconds: Double

    func run() async throws -> [Figure] {
        let dir = TemporaryDirectory("proctord-bench-store")  // /tmp: on disk on these machines
        let bus = EventBus()
        let store = InterviewManager(directory: dir.path + "/interviews", settings: .init(), bus: bus, logger: .silent)
        _ = try await store.start(title: "bench", guidelines: nil, session: "s_bench", pluginStates: [])
        let data = #"{"frame":12345,"faces":1,"face":[201,88,240,240],"pupils":{"left":[352.5,190.25],"right":[268.75,188.5]},"pose":{"yaw":-3.1,"pitch":4.2,"roll":0.4},"blink":false}"#
        let batch = Array(repeating: (topic: "gaze.sample", data: data), count: 64)
        let start = ContinuousClock.now
        let end = start + .seconds(seconds)
        var published = 0
        var publishTime = Duration.zero
        while ContinuousClock.now < end {
            let before = ContinuousClock.now
            bus.publish(plugin: "gaze", batch: batch)
            publishTime += ContinuousClock.now - before
            published += batch.count
            await Task.yield()
        }
        let summary = try await store.end(reason: "request")
        let elapsed = (ContinuousClock.now - start).seconds
        let written = Double(summary["events"]?.intValue ?? 0)
        let replayRate = try await replayRate(summary: summary, directory: dir.path + "/interviews")
        return [
            Figure(name: "store ingest, events reaching the file (on disk, WAL)", value: written / elapsed, unit: "events/s",
                   target: 50_000, higherIsBetter: true),
            Figure(name: "store: events published per second during the flood", value: Double(published) / seconds, unit: "events/s",
                   target: nil, higherIsBetter: true),
            Figure(name: "store: share of the flood dropped from the store's queue", value: Double(summary["missed"]?.intValue ?? 0) / Double(max(published, 1)) * 100,
                   unit: "%", target: nil, higherIsBetter: false),
            Figure(name: "publish cost with the store attached, mean per event", value: publishTime.seconds / Double(max(published, 1)) * 1e6,
                   unit: "us", target: nil, higherIsBetter: false),
            Figure(name: "replay from the store, events read back per second", value: replayRate,
                   unit: "events/s", target: nil, higherIsBetter: true),
        ]
    }

    /// What a page resuming from the interview's first seq is replayed at,
    /// reading only (no socket): every event of the file, page by page.
    private func replayRate(summary: JSONValue, directory: String) async throws -> Double {
        let id = summary["interview"]?.stringValue ?? ""
        let first = UInt64(summary["first_seq"]?.intValue ?? 1), last = UInt64(summary["last_seq"]?.intValue ?? 1)
        let start = ContinuousClock.now
        let replay = try await StoreReplay.prepare(paths: [directory + "/\(id).sqlite"], after: first - 1, before: last + 1,
                                                   topics: [.all], since: Timestamp(millisecondsSinceEpoch: 0))
        var read = 0
        try await replay.forEachPage { read += $0.count }
        return Double(read) / (ContinuousClock.now - start).seconds
    }
}
