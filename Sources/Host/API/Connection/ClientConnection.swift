import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket
import ProctorHost
import ProctorJSON
import Synchronization

/// One call page's WebSocket, from hello to close: the handshake (through
/// `ConnectionStateMachine`), then its events, requests and heartbeats.
/// Reading, sending events, heartbeats and the slow-client watchdog run as
/// separate tasks so none can stall another.
final class ClientConnection: Sendable {
    let id: Int
    let origin: String
    private let services: APIServices
    private let channel: any Channel
    private let outbound: WebSocketOutboundWriter
    private let challenge = Secret.token()
    private let machine = Mutex(ConnectionStateMachine())
    private let identity = Mutex<(session: SessionRecord, token: String)?>(nil)
    private let subscription = Mutex<Subscription?>(nil)
    private let pendingRequests = Atomic<Int>(0)
    private let eventGate = OutputGate()
    private let logger: Logger

    init(origin: String, channel: any Channel, outbound: WebSocketOutboundWriter, services: APIServices) {
        self.id = services.clients.makeID()
        self.origin = origin
        self.channel = channel
        self.outbound = outbound
        self.services = services
        var logger = services.logger
        logger[metadataKey: "client"] = .string("\(id)")
        logger[metadataKey: "origin"] = .string(origin)
        self.logger = logger
    }

    /// Serves the connection until it closes. Rethrows what ended the inbound
    /// stream, so hummingbird closes with the code RFC 6455 gives it (1009 for
    /// a fragmented message too large, 1007 for invalid UTF-8, 1002 for a
    /// broken fragment sequence) instead of 1000.
    func run(inbound: WebSocketInboundStream) async throws {
        services.clients.register(.init(
            connection: id, session: nil, origin: origin, clientName: nil, topics: [], connectedAt: .now(),
            close: { [self] code, reason in await close(code, reason: reason) }))
        defer {
            subscription.withLock { $0?.cancel() }
            services.clients.remove(id)
        }
        await send(ServerMessage.hello(
            agentSession: services.agentSession, challenge: challenge,
            heartbeatMilliseconds: Int(services.heartbeatInterval.components.seconds * 1000)))
        let failure: (any Error)? = await withTaskGroup(of: Void.self) { group in
            group.addTask { [self] in
                guard (try? await Task.sleep(for: .milliseconds(APILimits.identifyTimeoutMilliseconds))) != nil else { return }
                await perform(machine.withLock { $0.identifyTimedOut() })
            }
            group.addTask { [self] in
                guard (try? await Task.sleep(for: .milliseconds(APILimits.pairingNoticeDelayMilliseconds))) != nil else { return }
                announcePairingIfWaiting()
            }
            defer { group.cancelAll() }
            do {
                for try await message in inbound.messages(maxSize: APILimits.maximumMessageBytes) {
                    switch message {
                    case .binary:
                        await send(ServerMessage.error(code: "binary_frame", "binary frames are not part of the protocol; send JSON text"))
                    case .text(let text):
                        let action = machine.withLock { $0.received(ClientMessage.parse(text)) }
                        await perform(action, group: &group)
                    }
                }
            } catch {
                logger.debug("connection ended: \(error)")
                eventGate.close()  // the close frame hummingbird sends must be the last frame
                return error
            }
            return nil
        }
        if let failure { throw failure }
    }

    /// Shows the pairing code on the desktop when this page still waits to
    /// identify: it is asking its person for the code. The agent's own page
    /// shows the code itself. An origin locked out of pairing (too many wrong
    /// codes) cannot use the code now: showing it would only help it guess.
    private func announcePairingIfWaiting() {
        guard machine.withLock({ $0.state == .awaitingIdentify }), !services.checks.ownOrigins.contains(origin) else { return }
        let code = services.pairing.current()
        guard !code.locks.contains(where: { $0.origin == origin }) else { return }
        services.agent.notices.pairingRequested(origin: origin, code: code.code, expiresAt: code.expiresAt)
    }

    // MARK: - Acting on the state machine

    private func perform(_ action: ConnectionStateMachine.Action, group: inout TaskGroup<Void>) async {
        switch action {
        case .authenticate(let identify):
            let result = authenticate(identify)
            let next = machine.withLock { $0.authenticated(result.verdict) }
            if case .accepted = result.verdict, let (session, token) = result.identity {
                await identified(identify, session: session, token: token, group: &group)
            }
            await perform(next)
        case .handle(let message):
            await handle(message, group: &group)
        default:
            await perform(action)
        }
    }

    /// The actions that need no task group.
    private func perform(_ action: ConnectionStateMachine.Action) async {
        switch action {
        case .reportError(let code, let message, let id):
            await send(ServerMessage.error(code: code, message, id: id))
        case .close(let code, let reason):
            await closeSocket(code, reason: reason)
        case .ignore, .authenticate, .handle:
            break
        }
    }

    /// Closes from outside the read loop: revoked, too slow, shutting down.
    func close(_ code: CloseCode, reason: String) async {
        await perform(machine.withLock { $0.closeRequested(code, reason: reason) })
    }

    private func closeSocket(_ code: CloseCode, reason: String) async {
        logger.info("closing with \(code.rawValue): \(reason)")
        // A client that stopped reading never sees the close frame queued behind
        // its unread data, and sending it may wait for room that never comes:
        // cut the connection if it is still open shortly after, whatever happens.
        let channel = self.channel
        Task {
            try await Task.sleep(for: .seconds(2))
            channel.close(promise: nil)
        }
        eventGate.close()  // no event frame after the close frame
        try? await outbound.close(WebSocketErrorCode(codeNumber: Int(code.rawValue)), reason: reason)
    }

    // MARK: - Identify

    private func authenticate(_ identify: ClientMessage.Identify)
        -> (verdict: ConnectionStateMachine.AuthenticationResult, identity: (SessionRecord, String)?)
    {
        switch identify.auth {
        case .pairing(let proof):
            switch services.pairing.verify(proof: proof, challenge: challenge, origin: origin) {
            case .accepted:
                let (session, token) = services.sessions.issue(origin: origin, clientName: identify.clientName)
                logger.notice("paired: session \(session.id) for \(origin)")
                return (.accepted, (session, token))
            case .rejected(let remaining):
                logger.warning("wrong pairing code from \(origin); \(remaining) tries left")
                return (.refused(.authenticationFailed, reason: "wrong pairing code; \(remaining) \(remaining == 1 ? "try" : "tries") left"), nil)
            case .locked(let seconds):
                logger.warning("pairing locked for \(seconds) s after too many wrong codes")
                return (.refused(.pairingLocked, reason: "pairing locked for \(seconds) s after too many wrong codes"), nil)
            }
        case .token(let token):
            switch services.sessions.authenticate(token: token, origin: origin) {
            case .success(let session):
                return (.accepted, (session, token))
            case .failure(.wrongOrigin):
                return (.refused(.authenticationFailed, reason: "this token belongs to another origin"), nil)
            case .failure(.expired), .failure(.unknown):
                return (.refused(.tokenExpired, reason: "the token expired or was revoked: pair again"), nil)
            }
        }
    }

    private func identified(
        _ identify: ClientMessage.Identify, session: SessionRecord, token: String, group: inout TaskGroup<Void>
    ) async {
        identity.withLock { $0 = (session, token) }
        // Replay lets a page catch up on its own session: not a fresh pairing,
        // and nothing published before the session began.
        var resume = identify.resume
        if case .pairing = identify.auth { resume = nil }
        let resumeAfter = resume.flatMap { $0.agentSession == services.agentSession ? $0.afterSeq : nil }
        let (replay, live, nextSeq) = services.bus.resume(
            name: "client \(id) (\(origin))", patterns: identify.subscribe, capacity: APILimits.clientQueueCapacity,
            thinnable: services.thinTopics, after: resumeAfter)
        subscription.withLock { $0 = live }
        services.connections.identified(channel)
        services.clients.update(id) { entry in
            entry.session = session.id
            entry.clientName = identify.clientName
            entry.topics = identify.subscribe.map(\.description)
        }
        let sessionStart = Int64((session.createdAt * 1000).rounded(.down))
        // What the ring no longer holds comes from the interview files, if they hold it.
        var found: StoreReplay?
        if case .tooOld(let requested, let oldest, _) = replay {
            found = await services.agent.interviews.replay(
                after: requested, before: oldest, topics: identify.subscribe, since: Timestamp(millisecondsSinceEpoch: sessionStart))
        }
        let stored = found
        let (status, replayed) = Self.resumeStatus(
            resume, agentSession: services.agentSession, nextSeq: nextSeq,
            replay: replay.filter { $0.timestamp.millisecondsSinceEpoch >= sessionStart }, stored: stored.map(StoredPart.init))
        await send(ServerMessage.message("identified", [
            "session": .string(session.id), "token": .string(token),
            "token_expires_at": .string(Timestamp(seconds: session.expiresAt).rfc3339),
            "subscribed": .array(identify.subscribe.map { .string($0.description) }),
            "next_seq": .number(Double(nextSeq)), "resume": status,
        ]))
        // Replayed events first, then live ones, in one task: in seq order, and
        // the read loop goes on answering while a long replay is sent.
        group.addTask { [self] in
            guard await sendReplay(stored: stored, ring: replayed) else { return }
            await sendEvents(from: live)
        }
        group.addTask { [self] in await heartbeats() }
        group.addTask { [self] in await watchForSlowness(of: live) }
    }

    /// What the interview files hold of a resume, for its status.
    struct StoredPart: Equatable {
        var count: Int
        var firstSeq: UInt64?
        var missed: UInt64

        init(count: Int, firstSeq: UInt64?, missed: UInt64) {
            self.count = count
            self.firstSeq = firstSeq
            self.missed = missed
        }

        init(_ replay: StoreReplay) { self.init(count: replay.count, firstSeq: replay.firstSeq, missed: replay.missed) }
    }

    /// The `resume` answer. `from_seq` is the seq of the first event
    /// replayed (`nextSeq` when none is), so a client can check the replay
    /// against it. When the ring no longer reaches back far enough, `stored`
    /// is what the interview files hold before it: those events come first,
    /// and only the seqs neither holds are missed.
    static func resumeStatus(
        _ resume: (agentSession: String, afterSeq: UInt64)?, agentSession: String, nextSeq: UInt64, replay: EventBus.Replay,
        stored: StoredPart? = nil
    ) -> (JSONValue, [Event]) {
        guard let resume else { return (["status": "none"], []) }
        guard resume.agentSession == agentSession else { return (["status": "new_agent_session"], []) }
        switch replay {
        case .events(let events):
            return (["status": "replayed", "from_seq": .number(Double(events.first?.seq ?? nextSeq)),
                     "count": .number(Double(events.count))], events)
        case .tooOld(let requested, let oldest, let events):
            let missed = stored?.missed ?? (oldest - requested - 1)
            let from = stored?.firstSeq ?? events.first?.seq ?? nextSeq
            let count = (stored?.count ?? 0) + events.count
            guard missed > 0 else {
                return (["status": "replayed", "from_seq": .number(Double(from)), "count": .number(Double(count))], events)
            }
            return (["status": "gap", "from_seq": .number(Double(from)), "missed": .number(Double(missed)),
                     "count": .number(Double(count))], events)
        }
    }

    /// Sends the events replayed from the files, page by page, then those
    /// from the ring. False when the connection cannot go on: a file that
    /// cannot be read after the status promised its events closes it (1011),
    /// so a page never takes a short replay for a whole one.
    private func sendReplay(stored: StoreReplay?, ring: [Event]) async -> Bool {
        let writer = EventFrameWriter(channel: channel, gate: eventGate)
        do {
            try await stored?.forEachPage { page in try await writer.write(page.map(ServerMessage.event)) }
        } catch let error as StoreReplay.ReadFailure {
            logger.error("replay from the interview store failed: \(error)")
            await close(.internalError, reason: "the replay from the interview store failed")
            return false
        } catch {
            return false  // the connection is closing
        }
        for start in stride(from: 0, to: ring.count, by: 256) {
            let batch = ring[start..<min(ring.count, start + 256)]
            guard (try? await writer.write(batch.map(ServerMessage.event))) != nil else { return false }
        }
        return true
    }

    // MARK: - After identify

    private func handle(_ message: ClientMessage, group: inout TaskGroup<Void>) async {
        // Any message from the page (its heartbeats included) keeps its interview from idling out.
        if let session = identity.withLock({ $0?.session.id }) { services.agent.interviews.touch(session: session) }
        switch message {
        case .subscribe(let requestID, let topics):
            subscription.withLock { $0?.update(patterns: topics) }
            services.clients.update(id) { $0.topics = topics.map(\.description) }
            await send(ServerMessage.response(id: requestID, result: ["subscribed": .array(topics.map { .string($0.description) })]))
        case .request(let requestID, let target, let method, let params):
            guard let session = identity.withLock({ $0?.session }) else { return }
            if target == "host" && PageReport.topics.contains(method) {
                // A page's reports are quick, and their order is what they mean (hidden, then shown):
                // answered here in the read loop, one after the other, never reordered by tasks.
                await send(await RequestRouter(services: services).answer(
                    id: requestID, target: target, method: method, params: params, session: session, connection: id))
                return
            }
            guard pendingRequests.add(1, ordering: .relaxed).newValue <= APILimits.maximumPendingRequests else {
                pendingRequests.subtract(1, ordering: .relaxed)
                await send(ServerMessage.response(id: requestID, error: "busy", "more than \(APILimits.maximumPendingRequests) requests waiting"))
                return
            }
            // Unstructured: a plugin that takes its time must not hold up the read loop or the close.
            Task { [self] in
                let answer = await RequestRouter(services: services).answer(
                    id: requestID, target: target, method: method, params: params, session: session, connection: id)
                pendingRequests.subtract(1, ordering: .relaxed)
                await send(answer)
                if target == "host" && method == "session.end" {
                    // Close this page with 1000 before the revocation reaches it as 4009.
                    await close(.normal, reason: "session ended")
                    services.sessions.revoke(session.id)
                }
            }
        case .heartbeat:
            await send(ServerMessage.heartbeat(lastSeq: services.bus.nextSeq - 1))
        case .identify, .invalid:
            break  // the state machine answers these
        }
    }

    private func sendEvents(from live: Subscription) async {
        var reportedDrops: UInt64 = 0
        while true {
            let batch = await live.nextBatch(maximum: 256)
            if batch.isEmpty { return }
            guard (try? await EventFrameWriter(channel: channel, gate: eventGate).write(batch.map(ServerMessage.event))) != nil else { return }
            let dropped = live.droppedCount
            if dropped > reportedDrops, !live.overflowed {
                let topics = services.thinTopics.filter { topic in live.patterns.contains { $0.matches(topic) } }.sorted()
                await send(ServerMessage.dropped(count: dropped - reportedDrops, total: dropped, topics: topics))
                reportedDrops = dropped
            }
        }
    }

    private func heartbeats() async {
        while (try? await Task.sleep(for: services.heartbeatInterval)) != nil {
            await send(ServerMessage.heartbeat(lastSeq: services.bus.nextSeq - 1))
        }
    }

    /// A client whose queue lost a state event cannot be trusted to have seen
    /// what matters: close it, even while its writer is stuck.
    private func watchForSlowness(of live: Subscription) async {
        if await live.waitForOverflow() {
            await close(.tooSlow, reason: "too slow: \(live.droppedCount) events could not be queued")
        }
    }

    private func send(_ text: String) async {
        try? await outbound.write(.text(text))
    }
}
