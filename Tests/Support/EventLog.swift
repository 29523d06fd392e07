import Foundation
import Logging
import ProctorHost
import ProctorJSON
import Synchronization

/// Collects what the bus publishes, in the background, so a test can wait
/// for the event it expects and then look at everything around it.
public final class EventLog: Sendable {
    private final class Storage: Sendable {
        let events = Mutex<[Event]>([])
    }

    private let storage = Storage()
    private let task: Task<Void, Never>
    private let subscription: Subscription

    public init(bus: EventBus, patterns: [String] = ["*"]) {
        let subscription = bus.subscribe(name: "test", patterns: patterns.map { TopicPattern($0)! }, capacity: 100_000)
        self.subscription = subscription
        task = Task { [storage] in
            while true {
                let batch = await subscription.nextBatch(maximum: 1024)
                if batch.isEmpty { return }
                storage.events.withLock { $0 += batch }
            }
        }
    }

    public var all: [Event] { storage.events.withLock { $0 } }

    /// The `plugin.state` data for `plugin`, in order.
    public func states(of plugin: String) -> [JSONValue] {
        all.filter { $0.topic == "plugin.state" }.compactMap { try? JSONParser.parse($0.data) }
            .filter { $0["plugin"]?.stringValue == plugin }
    }

    /// Waits for an event that satisfies `match` and returns it.
    public func waitFor(timeout: Duration = .seconds(15), _ match: (Event) -> Bool) async -> Event? {
        var found: Event?
        _ = await eventually(timeout: timeout) {
            found = all.first(where: match)
            return found != nil
        }
        return found
    }

    /// Waits for a `plugin.state` of `plugin` whose data satisfies `match`.
    public func waitForState(
        _ plugin: String, timeout: Duration = .seconds(15), after seq: UInt64 = 0, _ match: (JSONValue) -> Bool
    ) async -> (Event, JSONValue)? {
        let event = await waitFor(timeout: timeout) { event in
            guard event.seq > seq, event.topic == "plugin.state", let data = try? JSONParser.parse(event.data) else { return false }
            return data["plugin"]?.stringValue == plugin && match(data)
        }
        return event.map { ($0, try! JSONParser.parse($0.data)) }
    }

    /// Waits for a `topic` event after `seq` whose data satisfies `match`;
    /// returns it with its data parsed.
    public func waitFor(
        _ topic: String, after seq: UInt64 = 0, timeout: Duration = .seconds(15), _ match: @escaping (JSONValue) -> Bool = { _ in true }
    ) async -> (event: Event, data: JSONValue)? {
        let event = await waitFor(timeout: timeout) { event in
            event.seq > seq && event.topic == topic && (try? JSONParser.parse(event.data)).map(match) == true
        }
        return event.map { ($0, try! JSONParser.parse($0.data)) }
    }

    /// The data of every `topic` event after `seq`, in order.
    public func data(_ topic: String, after seq: UInt64 = 0) -> [JSONValue] {
        all.filter { $0.topic == topic && $0.seq > seq }.compactMap { try? JSONParser.parse($0.data) }
    }

    /// Every event collected so far checked against docs/topics.json.
    public func schemaProblems() throws -> [String] {
        let schemas = try TopicSchemas.load()
        return all.flatMap { schemas.problems(with: $0) }
    }

    deinit { subscription.cancel() }
}

extension Logger {
    /// A logger that writes nothing, for tests that check events, not logs;
    /// PROCTORD_TEST_LOG=1 makes it write to stderr when a test needs a look.
    public static var silent: Logger {
        if ProcessInfo.processInfo.environment["PROCTORD_TEST_LOG"] != nil {
            return Logger(label: "test") { JournalLogHandler(label: $0, level: .debug, journal: false) }
        }
        return Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
    }
}

extension Logger {
    /// A logger that hands each message at notice or above to `record`, for
    /// tests that check what the agent says.
    public static func capturing(_ record: @escaping @Sendable (String) -> Void) -> Logger {
        Logger(label: "test") { _ in CapturingLogHandler(record: record) }
    }
}

/// Passes each message at notice or above to a closure.
struct CapturingLogHandler: LogHandler {
    let record: @Sendable (String) -> Void
    var logLevel: Logger.Level = .notice
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) { record(event.message.description) }
}
