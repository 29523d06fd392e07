import ProctorHost
import ProctorJSON
import Synchronization

/// Takes the pages' own reports (`page.visibility`, `page.focus`,
/// `page.fullscreen`, `page.screen_share`), holds each session to a rate
/// limit, and publishes each change as an event of that topic marked
/// `"source": "page"`. A report that repeats the session's last state of that
/// topic is answered but not published again, so a chatty page costs the
/// subscribers nothing.
final class PageSignals: Sendable {
    /// Reports a session may send in one window, and the window.
    static let reportsPerWindow = 20
    static let windowSeconds = 10.0
    /// Sessions remembered; past this the oldest is forgotten (sessions are few).
    static let maximumSessions = 64

    private struct SessionState {
        var windowStart: Double
        var count: Int
        var last: [String: JSONObject] = [:]
        var touched: Double
    }

    private let bus: EventBus
    private let clock: @Sendable () -> Double
    private let sessions = Mutex<[String: SessionState]>([:])

    init(bus: EventBus, clock: @escaping @Sendable () -> Double = WallClock.seconds) {
        self.bus = bus
        self.clock = clock
    }

    /// Checks, limits and publishes one report; answers `{"published", "seq"}`
    /// (`seq` null when the state had not changed).
    func report(method: String, params: JSONValue?, session: SessionRecord) throws(PageSignalError) -> JSONValue {
        let report = try PageReport.parse(method: method, params: params)
        let now = clock()
        // Published under the lock, so the last state kept is always the last one published.
        return try sessions.withLock { sessions throws(PageSignalError) -> JSONValue in
            var state = sessions[session.id] ?? SessionState(windowStart: now, count: 0, touched: now)
            if now - state.windowStart >= Self.windowSeconds { (state.windowStart, state.count) = (now, 0) }
            guard state.count < Self.reportsPerWindow else {
                let wait = Int(((state.windowStart + Self.windowSeconds - now) * 1000).rounded(.up))
                throw PageSignalError("rate_limited", "at most \(Self.reportsPerWindow) page reports per \(Int(Self.windowSeconds)) s from one session; retry in \(wait) ms")
            }
            state.count += 1
            state.touched = now
            let changed = state.last[report.topic] != report.fields
            state.last[report.topic] = report.fields
            if sessions[session.id] == nil, sessions.count >= Self.maximumSessions,
               let oldest = sessions.min(by: { $0.value.touched < $1.value.touched })?.key {
                sessions[oldest] = nil
            }
            sessions[session.id] = state
            guard changed else { return ["published": false, "seq": .null] }
            var data: JSONObject = ["source": "page", "session": .string(session.id), "origin": .string(session.origin)]
            for (key, value) in report.fields.members { data[key] = value }
            let event = bus.publish(topic: report.topic, data: .object(data))
            return ["published": true, "seq": .number(Double(event.seq))]
        }
    }

    /// The last state each session reported, per topic (for the agent's page).
    var latest: [String: [String: JSONObject]] {
        sessions.withLock { $0.mapValues(\.last) }
    }
}
