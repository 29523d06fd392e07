import ProctorJSON

/// The integrity summary: a score out of 100 with its arithmetic (each
/// rule's alerts times its cost, up to its cap), every rule's count and
/// duration, and what each plugin could see. A pure function of the alerts.
public enum IntegritySummary {
    public static let maximumScore = 100.0

    public static func make(
        interview: String, guidelines: Guidelines, alerts: [Alert], coverage: [JSONValue], duration: Double, now: Timestamp
    ) -> JSONValue {
        var deductions: [JSONValue] = []
        var rules: [JSONValue] = []
        var total = 0.0
        for rule in guidelines.rules {
            let mine = alerts.filter { $0.rule == rule.id }
            let seconds = round3(mine.reduce(0) { $0 + $1.duration(at: now) })
            rules.append(["rule": .string(rule.id), "count": .number(Double(mine.count)), "duration_s": .number(seconds)])
            guard !mine.isEmpty else { continue }
            let cost = min(Double(mine.count) * rule.cost, rule.cap)
            total += cost
            deductions.append([
                "rule": .string(rule.id), "text": .string(rule.text), "severity": .string(rule.severity.rawValue),
                "count": .number(Double(mine.count)), "duration_s": .number(seconds), "cost": .number(round3(cost)),
                "cap": .number(rule.cap), "per_alert": .number(rule.cost),
                "alerts": .array(mine.map { .string($0.id) }),
            ])
        }
        return [
            "interview": .string(interview), "score": .number(round3(max(0, maximumScore - total))), "max_score": .number(maximumScore),
            "duration_s": .number(round3(duration)), "deductions": .array(deductions), "rules": .array(rules),
            "coverage": .array(coverage), "at": .string(now.rfc3339),
            "at_ms": .number(Double(now.millisecondsSinceEpoch)),
        ]
    }

    static func round3(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
}
