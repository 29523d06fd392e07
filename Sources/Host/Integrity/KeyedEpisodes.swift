/// Episodes of one condition told apart by a key (a plugin, a capture
/// stream), each with a label fixed when it began, worded by `words(key,
/// label, seconds)`. Keys whose episode ended are forgotten.
struct KeyedEpisodes: Sendable {
    let minimum: Int64
    let words: @Sendable (String, String, Double) -> String
    private var entries: [String: (episode: Episode, label: String)] = [:]

    init(minimum: Int64, words: @escaping @Sendable (String, String, Double) -> String) {
        self.minimum = minimum
        self.words = words
    }

    /// The condition holds for `key`; `label` is kept from its first hold.
    mutating func hold(_ key: String, label: String, at time: Timestamp, seq: UInt64) -> [Finding] {
        var entry = entries[key] ?? (episode: Episode(key: key, minimum: minimum), label: label)
        let describe = describer(key, entry.label)
        let out = entry.episode.hold(at: time, seq: seq, describe: describe)
        entries[key] = entry
        return out
    }

    mutating func release(_ key: String, at time: Timestamp, seq: UInt64?) -> [Finding] {
        guard var entry = entries.removeValue(forKey: key) else { return [] }
        return entry.episode.release(at: time, seq: seq, describe: describer(key, entry.label))
    }

    mutating func advance(to now: Timestamp) -> [Finding] {
        var out: [Finding] = []
        for key in entries.keys.sorted() {
            let describe = describer(key, entries[key]!.label)
            out += entries[key]!.episode.advance(to: now, describe: describe)
        }
        return out
    }

    private func describer(_ key: String, _ label: String) -> (Double) -> String {
        let words = self.words
        return { words(key, label, $0) }
    }
}
