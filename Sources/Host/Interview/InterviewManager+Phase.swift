import ProctorJSON

/// Phases: a paired page marks where each part of the interview begins
/// (`interview.phase {"name": "question 2"}`); a phase lasts until the next
/// one or the end. The analytics and the report split the interview by them.
extension InterviewManager {
    public static let maximumPhaseNameLength = 100

    /// Publishes `interview.phase` for the running interview and answers
    /// `{"interview", "name", "seq"}`. On the actor, so a phase is either in
    /// the interview's file or refused: never published after its end.
    public func markPhase(_ name: String) throws(InterviewError) -> JSONValue {
        guard let id = current else { throw .none }
        let event = bus.publish(topic: "interview.phase", data: ["interview": .string(id), "name": .string(name)])
        return ["interview": .string(id), "name": .string(name), "seq": .number(Double(event.seq))]
    }

    /// `{"name": string}`, 1 to 100 characters; anything else is `invalid_params` saying what is wrong.
    public static func phaseName(_ params: JSONValue?) throws(InterviewError) -> String {
        let usage = "interview.phase takes {\"name\": string}"
        guard let members = params?.objectValue?.members else {
            throw InterviewError(code: "invalid_params", message: params == nil || params == .null ? "\(usage): name is missing" : "params must be an object; \(usage)")
        }
        var name: String?
        for (key, value) in members {
            guard key == "name" else { throw InterviewError(code: "invalid_params", message: "unknown param \(JSONWriter.quoted(key)); \(usage)") }
            guard let text = value.stringValue else {
                throw InterviewError(code: "invalid_params", message: "name must be a string, not \(value.typeName)")
            }
            guard !text.allSatisfy(\.isWhitespace) else { throw InterviewError(code: "invalid_params", message: "name must not be blank") }
            guard text.count <= maximumPhaseNameLength else {
                throw InterviewError(code: "invalid_params", message: "name must be at most \(maximumPhaseNameLength) characters (got \(text.count))")
            }
            name = text
        }
        guard let name else { throw InterviewError(code: "invalid_params", message: "\(usage): name is missing") }
        return name
    }
}
