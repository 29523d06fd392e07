import ProctorJSON

/// One alert of an interview: what a rule observed, from when to when, and
/// the seqs of the events that show it.
public struct Alert: Sendable, Equatable {
    public enum State: String, Sendable { case raised, updated, resolved }

    /// `<rule>#<n>`, unique within the interview.
    public let id: String
    public let rule: String
    public let severity: Severity
    public internal(set) var state: State
    public internal(set) var message: String
    public let startedAt: Timestamp
    public internal(set) var endedAt: Timestamp?
    public internal(set) var evidence: [UInt64]
    /// Evidence seqs left out once `evidence` reached its limit.
    public internal(set) var evidenceOmitted = 0

    /// Seqs an alert lists at most: a face absent for minutes has thousands of frames.
    public static let evidenceLimit = 500

    mutating func add(evidence seqs: [UInt64]) {
        for seq in seqs where evidence.last.map({ seq > $0 }) ?? true {
            if evidence.count < Self.evidenceLimit { evidence.append(seq) } else { evidenceOmitted += 1 }
        }
    }

    public func duration(at now: Timestamp) -> Double { max(0, (endedAt ?? now).seconds(since: startedAt)) }

    /// The `alert` event's data (docs/topics.json).
    public func json(at now: Timestamp, interview: String?) -> JSONValue {
        var object: JSONObject = [
            "alert": .string(id), "rule": .string(rule), "severity": .string(severity.rawValue), "state": .string(state.rawValue),
            "message": .string(message), "started_at": .string(startedAt.rfc3339),
            "ended_at": endedAt.map { .string($0.rfc3339) } ?? .null, "duration_s": .number(duration(at: now)),
            "evidence": .array(evidence.map { .number(Double($0)) }),
        ]
        if evidenceOmitted > 0 { object["evidence_omitted"] = .number(Double(evidenceOmitted)) }
        if let interview { object["interview"] = .string(interview) }
        return .object(object)
    }
}
