#if canImport(Glibc)
import Glibc
#endif
import GRDB
import Logging
import ProctorJSON
import Synchronization

/// The interview that is running, if any: started and ended by a paired
/// page, ended too when that page's session ends or goes quiet for the idle
/// limit. While one runs, a `StoreWriter` copies every event into its file.
/// An agent killed during an interview continues it when it starts again
/// (`startUp`, in InterviewManager+StartUp.swift), and pages that resume from
/// further back than the bus's ring are replayed from the files (`replay`).
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
        /// The interview's first seq (before any restart).
        let firstSeq: UInt64
        let writer: StoreWriter
        let task: Task<Void, Never>
    }

    public nonisolated let directory: String
    public nonisolated let settings: Settings
    let bus: EventBus
    let logger: Logger
    nonisolated let clock: @Sendable () -> Timestamp
    /// Runs before `interview.ended` is published, with the interview's id:
    /// what it publishes (the integrity summary) is still part of the interview.
    private let beforeEnd: @Sendable (String) async -> Void
    var running: Running?
    /// The running interview's session and when a page of it was last heard
    /// from; outside the actor so every message can touch it cheaply.
    nonisolated let activity = Mutex<(session: String?, at: Timestamp)>((nil, Timestamp(millisecondsSinceEpoch: 0)))
    /// The files of the bus's numbering, oldest first: what a replay reads.
    var numberingFiles: [String] = []
    /// Ends an idle interview at its deadline and deletes old ones daily.
    private nonisolated let housekeeping: DeadlineLoop
    private var nextPrune: Timestamp?

    /// Capacity of the store's bus queue: about a second of a busy agent.
    public static let defaultQueueCapacity = 65_536
    let queueCapacity: Int
    static let day: Int64 = 86_400_000

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
        housekeeping = DeadlineLoop { Double(clock().millisecondsSinceEpoch) / 1000 }
    }

    /// The running interview's id.
    public var current: String? { running?.id }

    /// The running interview's writer, for tests and status.
    public var writer: StoreWriter? { running?.writer }

    /// The session of the page that started the running interview.
    public var runningSession: String? { running?.session }

    /// Starts an interview for `session` and answers `{"interview", "started_at", "first_seq"}`.
    /// `pluginStates` and `screen` (the newest `screen.monitors`) are the state
    /// it begins in, copied into its file.
    public func start(
        title: String?, guidelines: JSONValue?, session: String, pluginStates: [PluginState], screen: Event? = nil
    ) throws(InterviewError) -> JSONValue {
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
        let reservation = SeqReservation(durable: firstSeq + SeqReservation.minimumAhead, nextSeq: firstSeq)
        let agentSession = bus.agentSession
        do {
            try database.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO interview (id, title, guidelines, session, started_ms, first_seq, agent_session, seq_high_water, page_heard_ms)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [id, title, guidelines.map(JSONWriter.compact), session, started.millisecondsSinceEpoch, Int64(firstSeq),
                                agentSession, Int64(reservation.durable), started.millisecondsSinceEpoch])
                let startState = "INSERT OR REPLACE INTO start_states (topic, key, seq, ts_ms, plugin, data) VALUES (?, ?, ?, ?, ?, ?)"
                for state in pluginStates {
                    let data = JSONWriter.compact(state.json)
                    // seq 0: the state in force when the interview began; plugin_states
                    // then follows the newest, start_states keeps this one.
                    try db.execute(sql: "INSERT OR REPLACE INTO plugin_states (plugin, seq, data) VALUES (?, 0, ?)", arguments: [state.plugin, data])
                    try db.execute(sql: startState, arguments: ["plugin.state", state.plugin, 0, started.millisecondsSinceEpoch, "host", data])
                }
                if let screen {
                    try db.execute(sql: startState, arguments: [screen.topic, screen.plugin, Int64(screen.seq), screen.timestamp.millisecondsSinceEpoch,
                                                                screen.plugin, screen.data])
                }
            }
        } catch {
            subscription.cancel()
            _ = removeInterviewFiles(path)
            let text = "\(path): \(InterviewFile.describe(error))"
            logger.error("interview store: \(text)")
            throw .store(text)
        }
        activity.withLock { $0 = (session, started) }
        let writer = makeWriter(id: id, path: path, database: database, subscription: subscription, firstSeq: firstSeq,
                                reservation: reservation, progress: .init())
        run(id: id, title: title, session: session, started: started, firstSeq: firstSeq, writer: writer, path: path)
        var event: JSONObject = ["interview": .string(id), "started_at": .string(started.rfc3339), "first_seq": .number(Double(firstSeq))]
        if let title { event["title"] = .string(title) }
        if let guidelines { event["guidelines"] = guidelines }
        bus.publish(topic: "interview.started", data: .object(event))
        logger.notice("interview \(id) started\(title.map { ": \($0)" } ?? "") (\(path))")
        return ["interview": .string(id), "started_at": .string(started.rfc3339), "first_seq": .number(Double(firstSeq))]
    }

    func makeWriter(
        id: String, path: String, database: DatabaseQueue, subscription: Subscription, firstSeq: UInt64,
        reservation: SeqReservation, progress: StoreWriter.Progress
    ) -> StoreWriter {
        StoreWriter(interviewID: id, path: path, database: database, subscription: subscription, firstSeq: firstSeq,
                    reservation: reservation, progress: progress, bus: bus, logger: logger,
                    pageHeard: { [weak self] in self?.lastHeard ?? .now() })
    }

    /// Makes the interview the running one and starts its writer.
    func run(id: String, title: String?, session: String, started: Timestamp, firstSeq: UInt64, writer: StoreWriter, path: String) {
        running = Running(id: id, title: title, session: session, started: started, firstSeq: firstSeq, writer: writer,
                          task: Task { await writer.run() })
        if !numberingFiles.contains(path) { numberingFiles.append(path) }
        housekeeping.wake()  // a new idle deadline
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
            "first_seq": .number(Double(interview.firstSeq)), "last_seq": .number(Double(event.seq)),
            "events": .number(Double(progress.written)), "missed": .number(Double(progress.missed)),
        ]
        if let title = interview.title { summary["title"] = .string(title) }
        return .object(summary)
    }

    /// When a page of the running interview's session was last heard from.
    nonisolated var lastHeard: Timestamp { activity.withLock { $0.at } }

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

    /// When the running interview becomes idle unless a page of its session
    /// is heard from before.
    public var idleDeadline: Timestamp? {
        guard running != nil else { return nil }
        return Timestamp(millisecondsSinceEpoch: lastHeard.millisecondsSinceEpoch + Int64(settings.idleEndMinutes) * 60_000)
    }

    /// Ends the interview when no page of its session was heard from for the
    /// idle limit; returns true when it did.
    @discardableResult
    public func endIfIdle() async -> Bool {
        guard let deadline = idleDeadline, clock() >= deadline else { return false }
        return (try? await end(reason: "idle")) != nil
    }

    // MARK: - Housekeeping

    /// Until the calling task is cancelled: ends the running interview at the
    /// moment it becomes idle (the deadline is recomputed then, since a page
    /// heard from in between moves it) and deletes interviews older than
    /// `store.retention_days` once a day, sleeping in between.
    public nonisolated func runHousekeeping() async {
        await housekeeping.run { await self.housekeepingPass() }
    }

    /// Looks at the deadlines now: for a clock that was moved.
    public nonisolated func recheckDeadlines() { housekeeping.wake() }

    /// One pass; returns when the next is due, in wall-clock seconds.
    private func housekeepingPass() async -> Double? {
        let now = clock()
        if let due = nextPrune, now >= due { prune() }
        await endIfIdle()
        let next = [idleDeadline, nextPrune].compactMap { $0 }.min()
        return next.map { Double($0.millisecondsSinceEpoch) / 1000 }
    }

    /// Deletes the interviews last written more than `store.retention_days`
    /// ago (never the running one), and schedules the next pass a day later.
    func prune() {
        let now = clock()
        let days = settings.retentionDays
        let keep = Set([running?.id].compactMap { $0 })
        for id in InterviewArchive(directory: directory).prune(olderThanDays: days, now: now, keeping: keep) {
            logger.info("interview \(id) deleted: older than store.retention_days (\(days))")
        }
        nextPrune = Timestamp(millisecondsSinceEpoch: now.millisecondsSinceEpoch + Self.day)
    }

    // MARK: - Replay

    /// The events after `after` and before `before` (the oldest seq the
    /// bus's ring holds) that the files of this numbering hold, of `topics`
    /// and published at or after `since`; nil when no file of this numbering
    /// exists or the files cannot be read. Waits until the running writer has
    /// dealt with every seq below `before`, so what the files lack is missed
    /// for good and what they hold is all there.
    public nonisolated func replay(after: UInt64, before: UInt64, topics: [TopicPattern], since: Timestamp) async -> StoreReplay? {
        let (paths, writer) = await replaySources()
        guard !paths.isEmpty, before > 0 else { return nil }
        await writer?.waitUntilSettled(through: before - 1)
        do {
            return try await StoreReplay.prepare(paths: paths, after: after, before: before, topics: topics, since: since)
        } catch {
            logger.error("replay from the interview store failed: \(InterviewFile.describe(error))")
            return nil
        }
    }

    private func replaySources() -> ([String], StoreWriter?) {
        (numberingFiles.filter { access($0, F_OK) == 0 }, running?.writer)
    }
}
