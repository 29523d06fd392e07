import ProctorJSON

/// Runs the guidelines' conditions over an interview's events, in seq order,
/// and keeps its alerts. Pure: time is the events' own `ts` and what
/// `advance` is given, so the same events give the same alerts live and when
/// recomputed from the store.
public struct RuleEngine: Sendable {
    public let guidelines: Guidelines
    public let interview: String?
    /// An alert's `updated` events come at most this often.
    public let updateInterval: Int64
    private var conditions: [any Condition]
    /// For each topic, the conditions that read it.
    private let readers: [String: [Int]]
    public private(set) var alerts: [Alert] = []
    private var open: [String: Int] = [:]  // "<rule>\u{0}<key>" -> index in alerts
    private var numbers: [String: Int] = [:]
    private var lastPublished: [Int: Int64] = [:]
    private var pending: Set<Int> = []
    public private(set) var now: Timestamp

    public init(guidelines: Guidelines, interview: String?, start: Timestamp, updateInterval: Int64 = 10_000) {
        self.guidelines = guidelines
        self.interview = interview
        self.updateInterval = updateInterval
        now = start
        conditions = guidelines.rules.map { rule in ConditionKinds.named(rule.kind)!.init(rule: rule) }
        var readers: [String: [Int]] = [:]
        for (index, condition) in conditions.enumerated() {
            for topic in Set(condition.topics) { readers[topic, default: []].append(index) }
        }
        self.readers = readers
    }

    /// The topics some rule reads, and those whose last state matters at the start.
    public var topics: Set<String> { Set(readers.keys) }
    public var stateTopics: Set<String> { Set(conditions.flatMap(\.stateTopics)) }

    /// Whether any rule reads `topic`: the others need not be parsed.
    public func reads(_ topic: String) -> Bool { readers[topic] != nil }

    /// The state the interview starts in: `events` happened before it and
    /// count from its start. Returns the `alert` events' data to publish.
    public mutating func prime(_ events: [Event]) -> [JSONValue] {
        var out: [JSONValue] = []
        for event in events { out += ingest(event, primed: true) }
        return out
    }

    /// One event of the interview.
    public mutating func ingest(_ event: Event, primed: Bool = false) -> [JSONValue] {
        guard let indices = readers[event.topic], let data = try? JSONParser.parse(event.data) else {
            return advance(to: event.timestamp)
        }
        var out = advance(to: event.timestamp)
        var observed = Observed(seq: event.seq, time: primed ? now : event.timestamp, plugin: event.plugin, topic: event.topic, data: data)
        observed.primed = primed
        for index in indices {
            out += apply(conditions[index].observe(observed), rule: index)
        }
        return out + flush()
    }

    /// Time has come to `time` with no event: conditions that hold long
    /// enough become alerts, and held-back updates go out.
    public mutating func advance(to time: Timestamp) -> [JSONValue] {
        guard time > now else { return [] }
        now = time
        var out: [JSONValue] = []
        for index in conditions.indices { out += apply(conditions[index].advance(to: time), rule: index) }
        return out + flush()
    }

    /// The interview ended at `time`: every open alert is resolved there.
    public mutating func finish(at time: Timestamp) -> [JSONValue] {
        var out = advance(to: time)
        for index in open.values.sorted() {
            alerts[index].state = .resolved
            alerts[index].endedAt = max(now, alerts[index].startedAt)
            alerts[index].message += " (until the interview ended)"
            out.append(alerts[index].json(at: now, interview: interview))
        }
        open = [:]
        pending = []
        return out
    }

    private mutating func apply(_ findings: [Finding], rule index: Int) -> [JSONValue] {
        let rule = guidelines.rules[index]
        var out: [JSONValue] = []
        for finding in findings {
            switch finding {
            case .raise(let key, let at, let evidence, let message):
                let n = numbers[rule.id, default: 0] + 1
                numbers[rule.id] = n
                var alert = Alert(id: "\(rule.id)#\(n)", rule: rule.id, severity: rule.severity, state: .raised, message: message,
                                  startedAt: at, endedAt: nil, evidence: [])
                alert.add(evidence: evidence)
                alerts.append(alert)
                open[rule.id + "\u{0}" + key] = alerts.count - 1
                lastPublished[alerts.count - 1] = now.millisecondsSinceEpoch
                out.append(alert.json(at: now, interview: interview))
            case .update(let key, let evidence, let message):
                guard let slot = open[rule.id + "\u{0}" + key] else { continue }
                alerts[slot].add(evidence: evidence)
                alerts[slot].message = message
                alerts[slot].state = .updated
                pending.insert(slot)
            case .resolve(let key, let at, let evidence, let message):
                guard let slot = open.removeValue(forKey: rule.id + "\u{0}" + key) else { continue }
                alerts[slot].add(evidence: evidence)
                alerts[slot].message = message
                alerts[slot].state = .resolved
                alerts[slot].endedAt = max(at, alerts[slot].startedAt)
                pending.remove(slot)
                out.append(alerts[slot].json(at: now, interview: interview))
            }
        }
        return out
    }

    /// The held-back updates whose interval has passed.
    private mutating func flush() -> [JSONValue] {
        var out: [JSONValue] = []
        for slot in pending.sorted() where now.millisecondsSinceEpoch - lastPublished[slot, default: 0] >= updateInterval {
            pending.remove(slot)
            lastPublished[slot] = now.millisecondsSinceEpoch
            out.append(alerts[slot].json(at: now, interview: interview))
        }
        return out
    }
}
