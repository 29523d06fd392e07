import GRDB
import Logging
import ProctorJSON
import Synchronization

/// The interview that is running, if any: started and ended by a paired
/// page, ended too when that page's session ends or goes quiet for the idle
/// limit. While one runs, a `StoreWriter` copies every event into its file.
public actor InterviewManager {
    public struct Settings: Sendable, Equatable {
        public var idleEndMinutes = 120
        public var retentionDays = 30
        public init() {}
    }

    struct Running {
        let id: String
        let title: String?
        let session: String
        let started: Timestamp
        let writer: StoreWriter
        let task: Task<Void, Never>
    }

    public nonisolated let directory: String
    public nonisolated let settings: Settings
    private let bus: EventBus
    private let logger: Logger
    private nonisolated let clock: @Sendable () -> Timestamp
    /// Runs before `interview.ended` is published, with the interview's id:
    /// what it publishes (the integrity summary) is still part of the interview.
    private let beforeEnd: @Sendable (String) async -> Void
    private var running: Running?
    /// The running interview's session and when a page of it was last heard
    /// from; outside the actor so every message can touch it cheaply.
    private nonisolated let activity = Mutex<(session: String?, at: Timestamp)>((nil, Timestamp(millisecondsSinceEpoch: 0)))

    /// Capacity of the store's bus queue: about a second of a busy agent.
    public static let defaultQueueCapacity = 65_536
    private let queueCapacity: Int

    public init(
        directory: String, settings: Settings, bus: EventBus, logger: Logger,
        clock: @escaping @Sendable () -> Timestamp = { .now() }, queueCapacity: Int = defaultQueueCapacity,
        beforeEnd: @escaping @Sendable (String) async -> Void = { _ in }
    ) {
        self.beforeEnd = beforeEnd
        self.directory = directory
        self.queueCapacity = queueCapacity
        self.settings = settings
        self.bus = bus
        self.logger = logger
        self.clock = clock
    }

    /// The running interview's id.
    public var current: String? { running?.id }

    /// The running interview's writer, for tests and status.
    public var writer: StoreWriter? { running?.writer }

    /// Starts an interview for `session` and answers `{"interview", "started_at", "first_seq"}`.
    public func start(title: String?, guidelines: JSONValue?, session: String, pluginStates: [PluginState]) throws(InterviewError) -> JSONValue {
        if let running { throw .running(running.id, since: running.started) }
        do { try PrivateDirectory.create(directory) } catch {
            logger.error("interview store: \(error)")
            throw .store(error.description)
        }
        let started = clock()
        let id = InterviewID.make(at: started)
        let path = InterviewFile.path(directory: directory, id: id)
        let database: DatabaseQueue
        do { database = try InterviewFile.create(path) } catch {
            logger.error("interview store: \(error)")
            throw .store(error.description)
        }
        // Subscribed before anything is published for the interview, so the
        // file holds every seq from first_seq on.
        let (_, subscription, firstSeq) = bus.resume(name: "store \(id)", patterns: [.all], capacity: queueCapacity, after: nil)
        do {
            try database.write { db in
                try db.execute(
                    sql: "INSERT INTO interview (id, title, guidelines, session, started_ms, first_seq) VALUES (?, ?, ?, ?, ?, ?)",
                    arguments: [id, title, guidelines.map(JSONWriter.compact), session, started.millisecondsSinceEpoch, Int64(firstSeq)])
                for state in pluginStates {
                    // seq 0: the state in force when the interview began.
                    try db.execute(sql: "INSERT OR REPLACE INTO plugin_states (plugin, seq, data) VALUES (?, 0, ?)",
                                   arguments: [state.plugin, JSONWriter.compact(state.json)])
                }
            }
        } catch {
            subscription.cancel()
            _ = removeInterviewFiles(path)
            let text = "\(path): \(InterviewFile.describe(error))"
            logger.error("interview store: \(text)")
            throw .store(text)
        }
        let writer = StoreWriter(interviewID: id, path: path, database: database, subscription: subscription,
                                 firstSeq: firstSeq, bus: bus, logger: logger)
        running = Running(id: id, title: title, session: session, started: started, writer: writer, task: Task { await writer.run() })
        activity.withLock { $0 = (session, started) }
        var event: JSONObject = ["interview": .string(id), "started_at": .string(started.rfc3339), "first_seq": .number(Double(firstSeq))]
        if let title { event["title"] = .string(title) }
        if let guidelines { event["guidelines"] = guidelines }
        bus.publish(topic: "interview.started", data: .object(event))
        logger.notice("interview \(id) started\(title.map { ": \($0)" } ?? "") (\(path))")
        return ["interview": .string(id), "started_at": .string(started.rfc3339), "first_seq": .number(Double(firstSeq))]
    }

    /// Ends the running interview: publishes `interview.ended`, waits until
    /// the writer has written it, and answers the summary.
    public func end(reason: String) async throws(InterviewError) -> JSONValue {
        guard let interview = running else { throw .none }
        running = nil  // a second end while this one waits finds none
        activity.withLock { $0.session = nil }
        await beforeEnd(interview.id)
        let ended = clock()
        let duration = Double(ended.millisecondsSinceEpoch - interview.started.millisecondsSinceEpoch) / 1000
        let event = bus.publish(topic: "interview.ended", data: [
            "interview": .string(interview.id), "reason": .string(reason), "ended_at": .string(ended.rfc3339),
            "duration_s": .number(duration),
        ])
        await interview.task.value
        let database = interview.writer.database
        do {
            // In a task of its own: the agent ends the interview while it is being
            // cancelled, and GRDB refuses to write from a cancelled task.
            try await Task {
                try await database.write { db in
                    try db.execute(sql: "UPDATE interview SET ended_ms = ?, end_reason = ?, last_seq = ?",
                                   arguments: [ended.millisecondsSinceEpoch, reason, Int64(event.seq)])
                }
            }.value
        } catch {
            logger.error("interview store \(interview.writer.path): cannot record the end: \(InterviewFile.describe(error))")
        }
        try? interview.writer.database.close()
        let progress = interview.writer.progress
        logger.notice("interview \(interview.id) ended (\(reason)): \(progress.written) events written, \(progress.missed) missed")
        var summary: JSONObject = [
            "interview": .string(interview.id), "reason": .string(reason),
            "started_at": .string(interview.started.rfc3339), "ended_at": .string(ended.rfc3339), "duration_s": .number(duration),
            "first_seq": .number(Double(interview.writer.firstSeq)), "last_seq": .number(Double(event.seq)),
            "events": .number(Double(progress.written)), "missed": .number(Double(progress.missed)),
        ]
        if let title = interview.title { summary["title"] = .string(title) }
        return .object(summary)
    }

    /// A page of `session` was heard from: the interview is not idle.
    public nonisolated func touch(session: String) {
        let now = clock()
        activity.withLock { if $0.session == session { $0.at = now } }
    }

    /// Ends the interview when `session` was the one that started it.
    public func sessionEnded(_ session: String) async {
        guard running?.session == session else { return }
        _ = try? await end(reason: "session_ended")
    }

    /// Ends the interview when no page of its session was heard from for the
    /// idle limit; returns true when it did.
    @discardableResult
    public func endIfIdle() async -> Bool {
        guard running != nil else { return false }
        let last = activity.withLock { $0.at }
        guard clock().millisecondsSinceEpoch - last.millisecondsSinceEpoch >= Int64(settings.idleEndMinutes) * 60_000 else { return false }
        return (try? await end(reason: "idle")) != nil
    }
}
