import GRDB
import Logging
import ProctorJSON

/// What the agent does at start with the interviews on disk: deletes the old
/// ones and continues, or closes, the one a killed agent left unfinished.
extension InterviewManager {
    /// What the agent found of an interview it did not end.
    public enum Recovery: Sendable, Equatable {
        /// No interview was left unfinished.
        case nothingUnfinished
        /// It runs on: its seqs continue from `firstNewSeq`; `missed` seqs
        /// before it were handed out or reserved but never written.
        case continued(interview: String, firstNewSeq: UInt64, missed: UInt64)
        /// It was closed as `agent_lost`, with why.
        case closed(interview: String, why: String)
    }

    /// Run once when the agent starts, before anything is published: deletes
    /// old interviews, then finds the interview a killed agent left
    /// unfinished and continues it, with its file, its session and its seq
    /// numbering; one idle for longer than `store.idle_end_minutes` (and any
    /// other unfinished one) is closed instead.
    @discardableResult
    public func startUp() -> Recovery {
        prune()
        let stored = InterviewArchive(directory: directory).ids().compactMap { id -> StoredInterview? in
            do { return try StoredInterview.read(path: InterviewFile.path(directory: directory, id: id), id: id) } catch {
                logger.error("interview store: \(error)")
                return nil
            }
        }
        let unended = stored.filter { $0.endedMs == nil }
        guard let newest = unended.last else { return .nothingUnfinished }
        for older in unended.dropLast() { close(older, why: "a newer interview was started after it") }
        let now = clock()
        guard let agentSession = newest.agentSession, let highWater = newest.seqHighWater else {
            return close(newest, why: "its file was written by an agent that could not continue it")
        }
        let idleSince = newest.pageHeardMs ?? newest.startedMs
        let idleMinutes = (now.millisecondsSinceEpoch - idleSince) / 60_000
        guard now.millisecondsSinceEpoch - idleSince < Int64(settings.idleEndMinutes) * 60_000 else {
            return close(newest, why: "no page was heard from for \(idleMinutes) minutes, reaching store.idle_end_minutes (\(settings.idleEndMinutes))")
        }
        do {
            return try continueInterview(newest, agentSession: agentSession, highWater: highWater,
                                         sameNumbering: stored.filter { $0.agentSession == agentSession && $0.endedMs != nil })
        } catch {
            logger.error("interview \(newest.id) cannot be continued: \(newest.path): \(InterviewFile.describe(error))")
            return close(newest, why: "it could not be continued")
        }
    }

    private func continueInterview(
        _ interview: StoredInterview, agentSession: String, highWater: UInt64, sameNumbering: [StoredInterview]
    ) throws -> Recovery {
        let database = try InterviewFile.open(interview.path, readonly: false)
        // Everything at or below `accounted` is in the file or in a recorded gap.
        let accounted = max(interview.lastWritten ?? interview.firstSeq - 1, interview.lastGap ?? 0)
        let restart = max(highWater, accounted + 1)
        let missed = restart - 1 - accounted
        let reservation = SeqReservation(durable: restart + SeqReservation.minimumAhead, nextSeq: restart)
        let now = clock()
        try database.write { db in
            if missed > 0 {
                try db.execute(sql: "INSERT INTO gaps (first_missing, last_missing, cause, noticed_ms) VALUES (?, ?, ?, ?)",
                               arguments: [Int64(accounted + 1), Int64(restart - 1), "not written before the agent stopped", now.millisecondsSinceEpoch])
            }
            try db.execute(sql: "UPDATE interview SET seq_high_water = ?", arguments: [Int64(reservation.durable)])
        }
        // The file promises no seq below `restart` again before the bus hands any out.
        bus.continueNumbering(agentSession: agentSession, at: restart)
        let (_, subscription, firstSeq) = bus.resume(name: "store \(interview.id)", patterns: [.all], capacity: queueCapacity, after: nil)
        activity.withLock { $0 = (interview.session, Timestamp(millisecondsSinceEpoch: interview.pageHeardMs ?? interview.startedMs)) }
        numberingFiles = (sameNumbering + [interview]).sorted { $0.firstSeq < $1.firstSeq }.map(\.path)
        let writer = makeWriter(id: interview.id, path: interview.path, database: database, subscription: subscription, firstSeq: firstSeq,
                            reservation: reservation, progress: .init(written: interview.written, missed: interview.missed + missed))
        run(id: interview.id, title: interview.title, session: interview.session, started: Timestamp(millisecondsSinceEpoch: interview.startedMs),
            firstSeq: interview.firstSeq, writer: writer, path: interview.path)
        var event: JSONObject = [
            "interview": .string(interview.id), "resumed_at": .string(now.rfc3339),
            "first_new_seq": .number(Double(restart)), "missed": .number(Double(missed)),
        ]
        if missed > 0 {
            event["missed_first"] = .number(Double(accounted + 1))
            event["missed_last"] = .number(Double(restart - 1))
        }
        bus.publish(topic: "interview.resumed", data: .object(event))
        logger.notice("""
            interview \(interview.id) continued: the agent stopped without ending it; seqs go on from \(restart) in \
            agent session \(agentSession)\(missed > 0 ? "; \(missed) seqs (\(accounted + 1)-\(restart - 1)) were not written before it stopped" : "")
            """)
        return .continued(interview: interview.id, firstNewSeq: restart, missed: missed)
    }

    /// Closes an interview the agent will not continue, as `agent_lost`, at
    /// the time of its last event in the file.
    @discardableResult
    private func close(_ interview: StoredInterview, why: String) -> Recovery {
        do {
            let database = try InterviewFile.open(interview.path, readonly: false)
            try database.write { db in
                try db.execute(sql: "UPDATE interview SET ended_ms = ?, end_reason = 'agent_lost', last_seq = ?",
                               arguments: [interview.lastWrittenMs ?? interview.startedMs, interview.lastWritten.map(Int64.init)])
            }
            try database.close()
        } catch {
            logger.error("interview store: \(interview.path): cannot record its end: \(InterviewFile.describe(error))")
        }
        logger.notice("interview \(interview.id) closed (agent_lost): the agent stopped without ending it, and it is not continued: \(why)")
        return .closed(interview: interview.id, why: why)
    }
}
