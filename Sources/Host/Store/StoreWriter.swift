import GRDB
import Logging
import ProctorJSON
import Synchronization

/// Writes one interview's events to its file. A bus subscriber: it takes
/// whatever has queued up since its last write and writes it in one
/// transaction on GRDB's own thread, so a publisher never waits for the
/// disk. When the disk is slower than the bus, the bus drops from this
/// subscriber's queue and counts it (`bus.dropped`); the writer sees the
/// missing seqs and records them as a gap, so the file says what it lacks.
/// Each write also moves the file's seq high-water mark ahead of the bus
/// (`SeqReservation`), so a restarted agent never hands out a seq again.
public final class StoreWriter: Sendable {
    public struct Progress: Sendable, Equatable {
        /// Events in the file.
        public var written = 0
        /// The newest seq the writer has seen (written or not).
        public var lastSeq: UInt64?
        /// Seqs of the interview that are not in the file.
        public var missed: UInt64 = 0
        /// Why writing fails right now; nil while it works.
        public var failing: String?

        public init(written: Int = 0, missed: UInt64 = 0) {
            self.written = written
            self.missed = missed
        }
    }

    struct Gap: Sendable {
        var first: UInt64, last: UInt64, cause: String
    }

    private struct State {
        var progress: Progress
        var unrecorded: [Gap] = []
        var reservation: SeqReservation
        var warnedOvertaken = false
        /// Every seq up to this one is in the file or counted as missing.
        var settled: UInt64
        var waiters: [(seq: UInt64, continuation: CheckedContinuation<Void, Never>)] = []
        var finished = false
    }

    public let interviewID: String
    public let path: String
    /// The first seq this writer takes from the bus: the interview's first, or
    /// the first after a restart.
    public let firstSeq: UInt64
    let database: DatabaseQueue
    private let subscription: Subscription
    private let bus: EventBus
    private let logger: Logger
    /// When a page of the interview's session was last heard from, kept in
    /// the file so a restarted agent knows how long the interview was idle.
    private let pageHeard: @Sendable () -> Timestamp
    private let state: Mutex<State>

    /// Events taken from the queue per transaction, at most.
    static let batchLimit = 4096

    init(
        interviewID: String, path: String, database: DatabaseQueue, subscription: Subscription, firstSeq: UInt64,
        reservation: SeqReservation, progress: Progress = Progress(), bus: EventBus, logger: Logger,
        pageHeard: @escaping @Sendable () -> Timestamp = { .now() }
    ) {
        self.interviewID = interviewID
        self.path = path
        self.database = database
        self.subscription = subscription
        self.firstSeq = firstSeq
        self.bus = bus
        self.logger = logger
        self.pageHeard = pageHeard
        state = Mutex(State(progress: progress, reservation: reservation, settled: firstSeq - 1))
    }

    public var progress: Progress { state.withLock { $0.progress } }

    /// Returns once every seq up to `seq` is in the file or counted as
    /// missing (at once for seqs before this writer's first), or once the
    /// writer has stopped: what a replay from the file waits for.
    public func waitUntilSettled(through seq: UInt64) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { state in
                if state.finished || state.settled >= seq { return true }
                state.waiters.append((seq, continuation))
                return false
            }
            if now { continuation.resume() }
        }
    }

    private func settle(through seq: UInt64?, finished: Bool = false) {
        let ready = state.withLock { state in
            if let seq { state.settled = max(state.settled, seq) }
            state.finished = state.finished || finished
            let settled = state.settled, done = state.finished
            let ready = state.waiters.filter { done || $0.seq <= settled }.map(\.continuation)
            state.waiters.removeAll { done || $0.seq <= settled }
            return ready
        }
        for continuation in ready { continuation.resume() }
    }

    /// Writes until this interview's `interview.ended` is written.
    func run() async {
        defer { settle(through: nil, finished: true) }
        var expected = firstSeq
        while true {
            var batch = await subscription.nextBatch(maximum: Self.batchLimit)
            if batch.isEmpty { return }
            var ended = false
            if let end = batch.firstIndex(where: isOwnEnd) {
                batch.removeSubrange((end + 1)...)
                ended = true
            }
            var gaps: [Gap] = []
            for event in batch {
                // Only seqs above `expected` can arrive: the bus delivers in order.
                if event.seq != expected {
                    gaps.append(Gap(first: expected, last: event.seq - 1, cause: "dropped: the store fell behind the bus"))
                }
                expected = event.seq + 1
            }
            await write(batch, gaps: gaps)
            if ended {
                subscription.cancel()
                return
            }
        }
    }

    private func isOwnEnd(_ event: Event) -> Bool {
        event.topic == "interview.ended" && event.plugin == "host" && event.data.contains("\"\(interviewID)\"")
    }

    private func write(_ batch: [Event], gaps: [Gap]) async {
        defer { settle(through: batch.last?.seq) }
        // Read before the transaction: the mark written must lie above every
        // seq handed out by the time it is in the file.
        let nextSeq = bus.nextSeq
        let heard = pageHeard().millisecondsSinceEpoch
        let (pending, mark, overtaken) = state.withLock { state in
            state.progress.lastSeq = batch.last?.seq ?? state.progress.lastSeq
            state.progress.missed += gaps.reduce(0) { $0 + $1.last - $1.first + 1 }
            state.unrecorded += gaps
            let overtaken = !state.warnedOvertaken && state.reservation.overtaken(nextSeq: nextSeq)
            if overtaken { state.warnedOvertaken = true }
            return (state.unrecorded, state.reservation.proposal(nextSeq: nextSeq), overtaken)
        }
        if overtaken {
            logger.warning("interview store \(path): the bus handed out seqs past the file's high-water mark before the next write; had the agent been killed then, a restart could have numbered events again from the mark")
        }
        do {
            try await database.write { db in
                let insert = try db.cachedStatement(sql: "INSERT OR IGNORE INTO events (seq, ts_ms, topic, plugin, data) VALUES (?, ?, ?, ?, ?)")
                let pluginState = try db.cachedStatement(sql: "INSERT OR REPLACE INTO plugin_states (plugin, seq, data) VALUES (?, ?, ?)")
                for event in batch {
                    try insert.execute(arguments: [Int64(event.seq), event.timestamp.millisecondsSinceEpoch, event.topic, event.plugin, event.data])
                    if event.topic == "plugin.state", let plugin = (try? JSONParser.parse(event.data))?["plugin"]?.stringValue {
                        try pluginState.execute(arguments: [plugin, Int64(event.seq), event.data])
                    }
                }
                let now = Timestamp.now().millisecondsSinceEpoch
                for gap in pending {
                    try db.execute(sql: "INSERT INTO gaps (first_missing, last_missing, cause, noticed_ms) VALUES (?, ?, ?, ?)",
                                   arguments: [Int64(gap.first), Int64(gap.last), gap.cause, now])
                }
                try db.execute(sql: "UPDATE interview SET seq_high_water = ?, page_heard_ms = ?", arguments: [Int64(mark), heard])
            }
            let recovered = state.withLock { state in
                state.reservation.written(mark, nextSeq: nextSeq)
                state.progress.written += batch.count
                state.unrecorded.removeFirst(pending.count)
                defer { state.progress.failing = nil }
                return state.progress.failing != nil
            }
            if recovered {
                logger.notice("interview store \(path): writing again")
                bus.publish(topic: "store.state", data: stateJSON(failing: nil))
            }
        } catch {
            // Keep taking events so the bus never backs up behind a broken disk;
            // what could not be written is a gap, recorded once writing works again.
            let reason = InterviewFile.describe(error)
            let first = state.withLock { state in
                if let from = batch.first?.seq, let to = batch.last?.seq {
                    state.unrecorded.append(Gap(first: from, last: to, cause: "write failed: \(reason)"))
                    state.progress.missed += to - from + 1
                }
                defer { state.progress.failing = reason }
                return state.progress.failing == nil
            }
            if first {
                logger.error("interview store \(path): cannot write: \(reason); events are counted as missing until it works again")
                bus.publish(topic: "store.state", data: stateJSON(failing: reason))
            }
        }
    }

    func stateJSON(failing: String?) -> JSONValue {
        var data: JSONObject = [
            "interview": .string(interviewID), "state": failing == nil ? "writing" : "failing", "path": .string(path),
            "missed": .number(Double(progress.missed)),
        ]
        if let failing { data["reason"] = .string(failing) }
        return .object(data)
    }

}
