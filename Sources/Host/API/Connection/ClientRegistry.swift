import ProctorHost
import ProctorJSON
import Synchronization

/// The connected pages, for the interviewee's view of what is shared and
/// for closing a session's connections when it is revoked.
public final class ClientRegistry: Sendable {
    public struct Entry: Sendable {
        public var connection: Int
        public var session: String?
        public var origin: String
        public var clientName: String?
        public var topics: [String]
        public var connectedAt: Timestamp
        let close: @Sendable (CloseCode, String) async -> Void
    }

    private let entries = Mutex<[Int: Entry]>([:])
    private let nextID = Atomic<Int>(1)

    public init() {}

    public func makeID() -> Int { nextID.wrappingAdd(1, ordering: .relaxed).oldValue }

    func register(_ entry: Entry) { entries.withLock { $0[entry.connection] = entry } }

    func update(_ connection: Int, _ change: (inout Entry) -> Void) {
        entries.withLock { entries in
            if var entry = entries[connection] {
                change(&entry)
                entries[connection] = entry
            }
        }
    }

    func remove(_ connection: Int) { entries.withLock { $0[connection] = nil } }

    func entry(_ connection: Int) -> Entry? { entries.withLock { $0[connection] } }

    public var all: [Entry] { entries.withLock { Array($0.values) }.sorted { $0.connection < $1.connection } }

    /// Closes every connection of `session` with `code`.
    public func close(session: String, code: CloseCode, reason: String) async {
        for entry in all where entry.session == session { await entry.close(code, reason) }
    }

    /// Closes every connection, as the agent stops.
    public func closeAll(code: CloseCode, reason: String) async {
        await withTaskGroup(of: Void.self) { group in
            for entry in all { group.addTask { await entry.close(code, reason) } }
        }
    }

    /// Waits until every connection has gone, or `timeout` has passed;
    /// true when none is left.
    public func waitUntilEmpty(timeout: Duration) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while !entries.withLock({ $0.isEmpty }) {
            guard clock.now < deadline, (try? await Task.sleep(for: .milliseconds(10))) != nil else { return false }
        }
        return true
    }

    public var json: JSONValue {
        .array(all.map { entry in
            var object: JSONObject = [
                "origin": .string(entry.origin), "topics": .array(entry.topics.map(JSONValue.string)),
                "connected_at": .string(entry.connectedAt.rfc3339),
                "identified": .bool(entry.session != nil),
            ]
            if let session = entry.session { object["session"] = .string(session) }
            if let name = entry.clientName { object["client"] = .string(name) }
            return .object(object)
        })
    }
}
