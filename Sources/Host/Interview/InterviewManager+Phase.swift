import ProctorJSON

/// Phases: a paired page marks where each part of the interview begins
/// (`interview.phase {"name": "question 2"}`); a phase lasts until the next
/// one or the end. The analytics and the report split the interview by them.
extension InterviewManager {
    public static let maximumPhaseNameLength = 100

    /// Publishes `interview.phase` for the running interview and answers
    /// `{"interview", "name", "seq"}`. On the actor, so a phase is either in
    /// the interview's file or refused: never published after its end.
    public func markPhase(_ phase: (name: String, quiet: Bool)) throws(InterviewError) -> JSONValue {
        guard let id = current else { throw .none }
        var data: JSONObject = ["interview": .string(id), "name": .string(phase.name)]
        // Only when set: the integrity rules treat a quiet phase as one where the interviewee should not speak.
        if phase.quiet { data["quiet"] = true }
        let event = bus.publish(topic: "interview.phase", data: .object(data))
        return ["interview": .string(id), "name": .string(phase.name), "seq": .number(Double(event.seq))]
    }

    /// `{"name": string, "quiet"?: bool}`, the name 1 to 100 characters;
    /// anything else is `invalid_params` saying what is wrong.
    public static func phaseName(_ params: JSONValue?) throws(InterviewError) -> (name: String, quiet: Bool) {
        let usage = "interview.phase takes {\"name\": string, \"quiet\"?: boolean}"
        guard let members = params?.objectValue?.members else {
            throw InterviewError(code: "invalid_params", message: params == nil || params == .null ? "\(usage): name is missing" : "params must be an object; \(usage)")
        }
        var name: String?
        var quiet = false
        for (key, value) in members {
            switch key {
            case "name":
                guard let text = value.stringValue else {
                    throw InterviewError(code: "invalid_params", message: "name must be a string, not \(value.typeName)")
                }
                guard !text.allSatisfy(\.isWhitespace) else { throw InterviewError(code: "invalid_params", message: "name must not be blank") }
                guard text.count <= maximumPhaseNameLength else {
                    throw InterviewError(code: "invalid_params", message: "name must be at most \(maximumPhaseNameLength) characters (got \(text.count))")
                }
                name = text
            case "quiet":
                guard let flag = value.boolValue else {
                    throw InterviewError(code: "invalid_params", message: "quiet must be a boolean, not \(value.typeName)")
                }
                quiet = flag
            default:
                throw InterviewError(code: "invalid_params", message: "unknown param \(JSONWriter.quoted(key)); \(usage)")
            }
        }
        guard let name else { throw InterviewError(code: "invalid_params", message: "\(usage): name is missing") }
        return (name, quiet)
    }
}
