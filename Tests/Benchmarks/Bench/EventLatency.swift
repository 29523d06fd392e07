import Foundation
import ProctorHost
import ProctorJSON
import ProctorTestSupport
import Synchronization
import X11Support

/// Latencies of one kind of trial, in ms, to both places.
struct Samples {
    var bus: [Double] = []
    var socket: [Double] = []

    mutating func add(_ arrivals: (bus: Double, socket: Double), since at: Double) {
        bus.append((arrivals.bus - at) * 1000)
        socket.append((arrivals.socket - at) * 1000)
    }

    /// Median, p99 (judged against the 20 ms target) and worst at each place;
    /// each p99 also against `reference`'s p99 there when given (another
    /// desktop's figure for the same change).
    func figures(_ name: String, reference: (name: String, bus: Double, socket: Double)? = nil) -> [Figure] {
        [("bus subscriber", bus.sorted(), reference?.bus), ("WebSocket client", socket.sorted(), reference?.socket)]
            .flatMap { place, sorted, referenceP99 in [
                Figure(name: "\(name) -> \(place), median (\(sorted.count))", value: percentile(sorted, 0.5), unit: "ms",
                       target: nil, higherIsBetter: false),
                Figure(name: "\(name) -> \(place), p99", value: percentile(sorted, 0.99), unit: "ms", target: 20, higherIsBetter: false,
                       comparison: referenceP99.map { (reference!.name, $0) }),
                Figure(name: "\(name) -> \(place), max", value: sorted.last ?? 0, unit: "ms", target: nil, higherIsBetter: false),
            ] }
    }
}

/// The same event awaited at the bus subscriber and at the WebSocket client.
struct Both {
    let bus: Arrivals
    let socket: Arrivals

    func wait(_ topic: String, timeout: Duration = .seconds(10), _ match: @escaping (JSONValue) -> Bool) async throws -> (bus: Double, socket: Double) {
        (try await bus.wait(topic, timeout: timeout, match), try await socket.wait(topic, timeout: timeout, match))
    }

    /// A bus subscriber and a client paired with `api`, both on `topics`, once
    /// its `screen` and `desktop` plugins run; with the screen plugin's window
    /// marker, for the call page's title.
    static func displayPlugins(of api: APIHarness, topics: [String]) async throws -> (Both, marker: String) {
        let agent = api.agent
        let received = Both(bus: Arrivals(agent.bus.subscribe(name: "bench", patterns: topics.map { TopicPattern($0)! }, capacity: 1 << 14)),
                            socket: Arrivals(try await api.paired(topics: topics).0))
        for id in ["screen", "desktop"] {
            guard await eventually(timeout: .seconds(15), { await agent.supervisor(id)?.state.name == .running }) else {
                received.stop()
                throw BenchError("plugin \(id) did not run")
            }
        }
        let answer = try JSONParser.parse(try await agent.supervisor("screen")!.request(#"{"method":"window_marker"}"#))
        return (received, answer["result"]?["marker"]?.stringValue ?? "")
    }

    /// Drops what arrived so far at both places.
    func discardAll() {
        bus.discardAll()
        socket.discardAll()
    }

    func stop() {
        bus.stop()
        socket.stop()
    }
}

/// Events read in the background, from a bus subscription or a paired
/// WebSocket client, with when each arrived (monotonic seconds), so waiting
/// for one never skews its arrival time.
final class Arrivals: Sendable {
    private final class Store: Sendable {
        let list = Mutex<[(topic: String, data: JSONValue, at: Double)]>([])
        let stopped = Atomic<Bool>(false)

        func record(_ topic: String, _ data: JSONValue?, at: Double) {
            list.withLock { $0.append((topic, data ?? .null, at)) }
        }
    }

    private let store = Store()
    private let stopReading: @Sendable () -> Void

    init(_ subscription: Subscription) {
        let store = self.store
        stopReading = { subscription.cancel() }
        Task {
            while true {
                let batch = await subscription.nextBatch(maximum: 256)
                if batch.isEmpty { return }
                let at = SystemMonotonicClock().now
                for event in batch { store.record(event.topic, try? JSONParser.parse(event.data), at: at) }
            }
        }
    }

    init(_ client: WebSocketTestClient) {
        let store = self.store
        stopReading = { store.stopped.store(true, ordering: .relaxed) }
        let reader = Thread {
            while !store.stopped.load(ordering: .relaxed) {
                guard let message = try? client.receiveNow(timeout: 0.5) else { continue }
                guard case .text(let text) = message else { return }  // closed
                let at = SystemMonotonicClock().now
                guard let frame = try? JSONParser.parse(text), frame["op"] == "event", let event = frame["d"],
                    let topic = event["topic"]?.stringValue
                else { continue }
                store.record(topic, event["data"], at: at)
            }
        }
        reader.start()
    }

    /// When the first not yet taken `topic` event matching `match` arrived;
    /// it and everything before it are taken.
    func wait(_ topic: String, timeout: Duration = .seconds(10), _ match: @escaping (JSONValue) -> Bool) async throws -> Double {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let found: Double? = store.list.withLock { list in
                guard let index = list.firstIndex(where: { $0.topic == topic && match($0.data) }) else { return nil }
                defer { list.removeFirst(index + 1) }
                return list[index].at
            }
            if let found { return found }
            try await Task.sleep(for: .milliseconds(1))
        }
        throw BenchError("no \(topic) event within \(timeout)")
    }

    func discardAll() { store.list.withLock { $0.removeAll() } }

    func stop() { stopReading() }
}
