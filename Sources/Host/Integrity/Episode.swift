/// A condition that holds from one moment to the next and becomes an alert
/// once it has held `minimum` milliseconds: raised with everything seen so
/// far, updated while it holds, resolved when it stops. Most kinds are one
/// of these (or one per key) fed with on/off observations.
struct Episode: Sendable {
    let key: String
    let minimum: Int64
    private(set) var since: Timestamp?
    private(set) var evidence: [UInt64] = []
    private(set) var raised = false

    init(key: String = "", minimum: Int64) {
        self.key = key
        self.minimum = minimum
    }

    var isHolding: Bool { since != nil }

    /// The condition holds at `time`, as `seq` shows; `describe` words it for
    /// a duration in seconds.
    mutating func hold(at time: Timestamp, seq: UInt64?, describe: (Double) -> String) -> [Finding] {
        if since == nil {
            since = time
            evidence = []
            raised = false
        }
        let wasRaised = raised
        if let seq { evidence.append(seq) }
        var out = check(at: time, describe: describe)
        if wasRaised, let seq, let since {
            out.append(.update(key: key, evidence: [seq], message: describe(time.seconds(since: since))))
        }
        return out
    }

    /// The condition stopped holding at `time`; `seq` is the event that
    /// showed it, when it belongs in the evidence.
    mutating func release(at time: Timestamp, seq: UInt64?, describe: (Double) -> String) -> [Finding] {
        guard let since else { return [] }
        var out = check(at: time, describe: describe)
        if raised {
            out.append(.resolve(key: key, at: time, evidence: seq.map { [$0] } ?? [], message: describe(time.seconds(since: since))))
        }
        self.since = nil
        raised = false
        evidence = []
        return out
    }

    mutating func advance(to now: Timestamp, describe: (Double) -> String) -> [Finding] {
        check(at: now, describe: describe)
    }

    private mutating func check(at now: Timestamp, describe: (Double) -> String) -> [Finding] {
        guard !raised, let since, now.millisecondsSinceEpoch - since.millisecondsSinceEpoch >= minimum else { return [] }
        raised = true
        return [.raise(key: key, at: since, evidence: evidence, message: describe(now.seconds(since: since)))]
    }
}
