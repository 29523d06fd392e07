/// Who a peer is in an interview: each room has exactly one of each.
public enum Role: String, Sendable, CaseIterable, Codable {
    case interviewer
    case interviewee

    /// The role at the other end of the call.
    public var other: Role { self == .interviewer ? .interviewee : .interviewer }
}
