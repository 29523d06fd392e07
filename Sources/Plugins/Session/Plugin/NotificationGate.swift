/// Keeps the interviewee's desktop calm: a notification equal to one shown
/// lately (same key) is not shown again, and at most `maxPerMinute` are
/// shown in any 60 seconds. Pure, so the rules are tested without a bus.
struct NotificationGate: Sendable {
    enum Verdict: Equatable, Sendable {
        case show
        case duplicate(id: UInt32)
        case rateLimited(retryInMilliseconds: Int)
    }

    let maxPerMinute: Int
    let duplicateWindowSeconds: Double
    /// When each of the last minute's notifications was shown, oldest first.
    private var shown: [Double] = []
    private var lastByKey: [String: (id: UInt32, at: Double)] = [:]

    init(maxPerMinute: Int, duplicateWindowSeconds: Double) {
        self.maxPerMinute = maxPerMinute
        self.duplicateWindowSeconds = duplicateWindowSeconds
    }

    /// Whether a notification with `key` may be shown at `now` (seconds).
    mutating func judge(key: String, now: Double) -> Verdict {
        shown.removeAll { now - $0 >= 60 }
        lastByKey = lastByKey.filter { now - $0.value.at < duplicateWindowSeconds }
        if let last = lastByKey[key] { return .duplicate(id: last.id) }
        guard shown.count < maxPerMinute else {
            return .rateLimited(retryInMilliseconds: max(1, Int(((shown[0] + 60 - now) * 1000).rounded(.up))))
        }
        return .show
    }

    /// A notification with `key` was shown as `id` at `now`.
    mutating func record(key: String, id: UInt32, now: Double) {
        shown.append(now)
        if duplicateWindowSeconds > 0 { lastByKey[key] = (id, now) }
    }
}
