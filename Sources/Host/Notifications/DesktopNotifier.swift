import Logging
import ProctorJSON
import Synchronization

/// Tells the interviewee what the agent does, through the session plugin's
/// desktop notifications: a subscriber that turns events into notices
/// (`EventNotices`), and the API's asks (a page that wants to pair, a site
/// that wants access). An action the person clicks comes back as a
/// `session.notification` event and goes to the handler of the notice it
/// belongs to; notices of pages or other programs never reach a handler.
/// A handler ends with its notice: when it is closed (also when the plugin
/// says the server went away) and when the plugin stops, so a later notice
/// that reuses the id never reaches it. Without a running session plugin,
/// notices are dropped (the log says so).
public final class DesktopNotifier: Sendable {
    /// The plugin whose `notify` request shows the notices.
    public static let pluginID = "session"

    private let subscription: Subscription
    private let logger: Logger
    private let plugin = Mutex<PluginSupervisor?>(nil)
    /// Shown notices with actions: the server's id → what to do with the action.
    private let handlers = Mutex<[UInt32: @Sendable (String) -> Void]>([:])

    /// Subscribes at once, so nothing published before `run` is missed.
    public init(bus: EventBus, logger: Logger) {
        self.logger = logger
        subscription = bus.subscribe(name: "desktop notices",
                                     patterns: (EventNotices.topics + ["session.notification", "plugin.state"]).compactMap(TopicPattern.init))
    }

    /// The supervisor of the plugin that shows the notices.
    public func attach(_ supervisor: PluginSupervisor) { plugin.withLock { $0 = supervisor } }

    /// Runs until the calling task is cancelled; once.
    public func run() async {
        defer { subscription.cancel() }
        while let event = await subscription.next() {
            guard let data = try? JSONParser.parse(event.data) else { continue }
            if event.topic == "session.notification" {
                guard plugin.withLock({ $0?.id }) == event.plugin else { continue }  // the attached plugin's own word only
                actionOrClose(data)
            } else if event.topic == "plugin.state" {
                // A plugin that stops or restarts forgets its notices: their ids are no longer ours.
                guard event.plugin == "host", let id = plugin.withLock({ $0?.id }), data["plugin"]?.stringValue == id,
                      data["state"] != "running", data["state"] != "degraded" else { continue }
                handlers.withLock { $0.removeAll() }
            } else if let notice = EventNotices.notice(topic: event.topic, data: data) {
                show(notice)
            }
        }
    }

    private func actionOrClose(_ data: JSONValue) {
        guard let number = data["id"]?.intValue, let id = UInt32(exactly: number) else { return }
        switch data["state"]?.stringValue {
        case "action":
            if let handler = handlers.withLock({ $0.removeValue(forKey: id) }), let action = data["action"]?.stringValue { handler(action) }
        case "closed":
            handlers.withLock { _ = $0.removeValue(forKey: id) }
        default:
            break
        }
    }

    /// Asks for `notice` without waiting; `onAction` gets the id of the action the person chose.
    public func show(_ notice: DesktopNotice, onAction: (@Sendable (String) -> Void)? = nil) {
        Task { _ = await showNow(notice, onAction: onAction) }
    }

    /// Asks for `notice` and returns the plugin's answer (nil when no session plugin runs or it failed).
    @discardableResult
    public func showNow(_ notice: DesktopNotice, onAction: (@Sendable (String) -> Void)? = nil) async -> JSONValue? {
        guard let supervisor = plugin.withLock({ $0 }) else {
            logger.debug("no session plugin: notice \(notice.key) not shown")
            return nil
        }
        do {
            let answer = try JSONParser.parse(try await supervisor.request(notice.request))
            if let error = answer["error"] {
                logger.info("notice \(notice.key) not shown: \(error["message"]?.stringValue ?? JSONWriter.compact(error))")
            } else if answer["result"]?["outcome"] == "duplicate" {
                logger.info("notice \(notice.key) not shown again: it repeats notification \(answer["result"]?["id"]?.intValue ?? 0), shown lately")
            } else if answer["result"]?["outcome"] == "rate_limited" {
                logger.notice("notice \(notice.key) not shown: the minute's budget of notices is spent (retry in \(answer["result"]?["retry_in_ms"]?.intValue ?? 0) ms)")
            } else if let onAction, answer["result"]?["outcome"] == "shown", let number = answer["result"]?["id"]?.intValue, let id = UInt32(exactly: number) {
                handlers.withLock { $0[id] = onAction }
            }
            return answer
        } catch {
            logger.info("notice \(notice.key) not shown: \(error)")
            return nil
        }
    }

    // MARK: The API's asks

    /// A stand-in for `origin` in a notice's key: every paired page sees the
    /// keys (session.notification events), and one site's are not another's
    /// business. Keyed by the process's random hashing seed (SipHash), so it
    /// is stable while the agent runs and says nothing of the origin.
    static func opaque(_ origin: String) -> String {
        var hasher = Hasher()
        hasher.combine("proctord notice")
        hasher.combine(origin)
        return String(UInt64(bitPattern: Int64(hasher.finalize())), radix: 16)
    }

    /// A page from `origin` waits for the person to type the pairing code.
    public func pairingRequested(origin: String, code: String, expiresAt: Double) {
        show(DesktopNotice(
            title: "Pairing code: \(code.prefix(3)) \(code.dropFirst(3))",
            body: "\(origin) asks to pair with proctord. Type this code on that page only if you opened it for your interview.",
            key: "pairing.\(Self.opaque(origin)).\(Int(expiresAt))", timeoutMs: 120_000))
    }

    /// A page from `origin`, on no list yet, asks to connect: "Allow" and "Ignore" act as on the agent's page.
    public func originAsking(_ origin: String, choose: @escaping @Sendable (_ allow: Bool) -> Void) {
        show(DesktopNotice(
            title: "A site asks to use proctord",
            body: "\(origin) wants to connect to proctord. Allow it only if it is your interview's site; it will still need the pairing code.",
            key: "origin.\(Self.opaque(origin))", actions: [.init(id: "allow", label: "Allow"), .init(id: "ignore", label: "Ignore")])) { action in
            if action == "allow" || action == "ignore" { choose(action == "allow") }
        }
    }
}
