/// Why an interview request was refused, with the protocol's error code
/// (docs/protocol.md, "Interviews").
public struct InterviewError: Error, Sendable, Equatable, CustomStringConvertible {
    public let code: String
    public let message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

    static func running(_ id: String, since: Timestamp) -> InterviewError {
        InterviewError(code: "interview_running", message: "interview \(id) is running since \(since.rfc3339); end it first")
    }

    public static let none = InterviewError(code: "no_interview", message: "no interview is running")

    static func store(_ text: String) -> InterviewError { InterviewError(code: "store_failed", message: text) }
}
