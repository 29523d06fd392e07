import Foundation
import ProctorHost
import ProctorJSON

/// What a paired page received, in order: every event (parsed) and every
/// other message, read from its socket as the test waits. The end-to-end
/// interview tests derive what they expect from these, the page's view,
/// never from the rule that produced the alert.
public final class PageEvents: @unchecked Sendable {
    public struct Received: Sendable {
        public let seq: UInt64
        /// Milliseconds since the epoch, from the event's `ts`.
        public let ms: Int64
        public let topic: String
        public let plugin: String
        public let data: JSONValue

        /// As the bus published it, to check against docs/topics.json.
        public var event: Event {
            Event(seq: seq, timestamp: Timestamp(millisecondsSinceEpoch: ms), plugin: plugin, topic: topic, data: JSONWriter.compact(data))
        }
    }

    public let client: WebSocketTestClient
    public private(set) var events: [Received] = []
    /// Messages that were not events or responses (`dropped` notices...).
    public private(set) var notices: [JSONValue] = []
    private var responses: [Int: JSONValue] = [:]
    private var nextID = 1_000

    public init(_ client: WebSocketTestClient) { self.client = client }

    /// The data of every `topic` event, in order.
    public func data(_ topic: String) -> [JSONValue] { events.filter { $0.topic == topic }.map(\.data) }

    /// Reads until an event satisfies `match` (it may already have come) and returns it.
    @discardableResult
    public func waitFor(timeout: Double = 30, after seq: UInt64 = 0, _ match: (Received) -> Bool) async throws -> Received {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while true {
            if let found = events.first(where: { $0.seq > seq && match($0) }) { return found }
            let left = deadline.timeIntervalSinceNow
            guard left > 0, let message = try await client.receive(timeout: left) else {
                throw WebSocketTestClient.Failure(description: "no matching event within \(timeout) s; last: \(events.suffix(3).map(\.topic))")
            }
            guard case .text(let text) = message else {
                throw WebSocketTestClient.Failure(description: "the agent sent \(message) instead of an event")
            }
            try take(text)
        }
    }

    /// Sends a request and reads (keeping the events on the way) until its answer; returns the answer's `d`.
    public func ask(_ target: String, _ method: String, _ params: JSONValue = [:], timeout: Double = 30) async throws -> JSONValue {
        nextID += 1
        let id = nextID
        let request: JSONValue = ["op": "request", "id": .number(Double(id)),
                                  "d": ["target": .string(target), "method": .string(method), "params": params]]
        try await client.send(JSONWriter.compact(request))
        let deadline = Date(timeIntervalSinceNow: timeout)
        while responses[id] == nil {
            let left = deadline.timeIntervalSinceNow
            guard left > 0, case .text(let text)? = try await client.receive(timeout: left) else {
                throw WebSocketTestClient.Failure(description: "no answer to \(method) within \(timeout) s")
            }
            try take(text)
        }
        return responses.removeValue(forKey: id) ?? .null
    }

    private func take(_ text: String) throws {
        let message = try JSONParser.parse(text)
        switch message["op"]?.stringValue {
        case "event":
            let d = message["d"] ?? .null
            guard let seq = d["seq"]?.intValue, let topic = d["topic"]?.stringValue, let ts = d["ts"]?.stringValue,
                let ms = Self.milliseconds(ts)
            else { throw WebSocketTestClient.Failure(description: "an event without seq, topic or ts: \(text)") }
            events.append(Received(seq: UInt64(seq), ms: ms, topic: topic, plugin: d["plugin"]?.stringValue ?? "", data: d["data"] ?? .null))
        case "response":
            responses[message["id"]?.intValue ?? -1] = message["d"] ?? .null
        default:
            notices.append(message)
        }
    }

    /// `2026-11-25T21:12:22.066Z` as milliseconds since the epoch.
    static func milliseconds(_ rfc3339: String) -> Int64? {
        let format = ISO8601DateFormatter()
        format.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return format.date(from: rfc3339).map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }
    }
}
