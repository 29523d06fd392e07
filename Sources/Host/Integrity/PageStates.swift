/// What each page (by session) last reported of itself, and an episode per
/// page while its state is one the rule counts, unless a plugin sees the same
/// thing on the desktop (`DesktopSight`). Shared by the page rules.
struct PageStates<State: Sendable>: Sendable {
    private var states: [String: State] = [:]
    private var episodes: KeyedEpisodes
    private var sight: DesktopSight
    /// The label of a state the rule counts (what the page was), or nil when it is fine.
    private let counted: @Sendable (State) -> String?

    init(minimum: Int64, desktopTopics: Set<String>, counted: @escaping @Sendable (State) -> String?,
         words: @escaping @Sendable (String, String, Double) -> String) {
        episodes = KeyedEpisodes(minimum: minimum, words: words)
        sight = DesktopSight(topics: desktopTopics)
        self.counted = counted
    }

    func state(of session: String) -> State? { states[session] }

    /// A page's new state, from its event.
    mutating func update(_ session: String, to state: State, event: Observed) -> [Finding] {
        states[session] = state
        return judge(session, at: event)
    }

    /// A desktop topic or `plugin.state`: when the desktop comes into sight the
    /// page episodes end (the plugin's rules take over); when it goes out of
    /// sight, the pages' last states count again from here.
    mutating func desktop(_ event: Observed) -> [Finding] {
        guard sight.observe(event) else { return [] }
        var out: [Finding] = []
        for session in states.keys.sorted() { out += judge(session, at: event) }
        return out
    }

    mutating func advance(to now: Timestamp) -> [Finding] { episodes.advance(to: now) }

    private mutating func judge(_ session: String, at event: Observed) -> [Finding] {
        let page = event.topic.hasPrefix("page.") ? event.seq : nil
        if !sight.sees, let state = states[session], let label = counted(state) {
            return episodes.hold(session, label: label, at: event.time, seq: page ?? event.seq)
        }
        return episodes.release(session, at: event.time, seq: page)
    }
}
