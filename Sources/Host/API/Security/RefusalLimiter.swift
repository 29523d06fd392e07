import Synchronization

/// Counts refusals so a page or a local program hammering the agent fills
/// neither the log nor the memory: each source gets `perSource` answered and
/// logged refusals a minute, all sources together `total`; the rest get 429
/// and are only counted. The table of sources is bounded in size and in key
/// length, so sources made up by the thousand (a new Origin each time) cost
/// a fixed amount.
public final class RefusalLimiter: Sendable {
    private struct Window {
        var start: Double
        var count: Int
    }

    private struct State {
        var sources: [String: Window] = [:]
        var all = Window(start: -.infinity, count: 0)
    }

    /// Sources tracked one by one; past this, new ones share one window.
    static let maximumSources = 256
    static let maximumKeyLength = 160
    private static let overflow = "\u{0}others"

    private let state = Mutex(State())
    private let perSource: Int
    private let total: Int
    private let clock: @Sendable () -> Double

    public init(perSource: Int = 10, total: Int = 60, clock: @escaping @Sendable () -> Double = WallClock.seconds) {
        self.perSource = perSource
        self.total = total
        self.clock = clock
    }

    /// Records a refusal for `source`; true while both limits allow an answer.
    public func allow(_ source: String) -> Bool {
        let now = clock()
        let key = String(source.prefix(Self.maximumKeyLength))
        return state.withLock { state in
            if state.sources[key] == nil && state.sources.count >= Self.maximumSources {
                state.sources = state.sources.filter { now - $0.value.start < 60 }
            }
            let bucket = state.sources[key] != nil || state.sources.count < Self.maximumSources ? key : Self.overflow
            var window = state.sources[bucket] ?? Window(start: now, count: 0)
            if now - window.start >= 60 { window = Window(start: now, count: 0) }
            window.count += 1
            state.sources[bucket] = window
            if now - state.all.start >= 60 { state.all = Window(start: now, count: 0) }
            guard window.count <= perSource else { return false }
            state.all.count += 1
            return state.all.count <= total
        }
    }

    /// How many sources have a window of their own (for tests).
    var trackedSources: Int { state.withLock { $0.sources.count } }
}
