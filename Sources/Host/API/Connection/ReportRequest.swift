import Dispatch
import ProctorHost
import ProctorJSON

/// `interview.report {"interview"?, "format": "json" | "html"}`: an
/// interview's report for the page that ran it, so the call page can pass it
/// to the interviewer (docs/protocol.md, "Reports"). A page gets only the
/// reports of interviews its own session started.
struct ReportRequest: Sendable {
    let archive: InterviewArchive

    /// What one response may carry: far below what a browser takes in one
    /// message, far above a long interview's report (docs/report.md).
    static let maximumBytes = 8 << 20

    struct Failure: Error {
        let code: String
        let message: String
    }

    func answer(id: JSONValue, params: JSONValue?, session: SessionRecord, running: String?) async -> String {
        do throws(Failure) {
            let (requested, format) = try Self.params(params)
            let interview = try choose(requested, session: session.id, running: running)
            let result = await Self.offPool { () -> Result<JSONValue, Failure> in
                do {
                    let report = try archive.report(interview)
                    return .success(format == "html"
                        ? ["interview": .string(interview), "format": "html", "html": .string(report.html)]
                        : ["interview": .string(interview), "format": "json", "report": report.json])
                } catch { return .failure(Failure(code: "report_failed", message: "\(error)")) }
            }
            let message = ServerMessage.response(id: id, result: try result.get())
            guard message.utf8.count <= Self.maximumBytes else {
                throw Failure(code: "report_too_large", message: "the \(format) report of \(interview) is \(message.utf8.count) bytes, over the \(Self.maximumBytes) a response may carry; write it with `proctord report \(interview) --\(format) FILE`")
            }
            return message
        } catch {
            return ServerMessage.response(id: id, error: error.code, error.message)
        }
    }

    /// The interview asked for, else the running one when this session
    /// started it, else this session's newest. Another session's interview
    /// is answered as unknown: a page learns nothing of other pages' interviews.
    private func choose(_ requested: String?, session: String, running: String?) throws(Failure) -> String {
        if let requested {
            guard InterviewID.isValid(requested), (try? archive.session(of: requested)) == session else {
                throw Failure(code: "unknown_interview", message: "no interview \(JSONWriter.quoted(requested)) of this session")
            }
            return requested
        }
        if let running, (try? archive.session(of: running)) == session { return running }
        guard let newest = archive.ids().reversed().first(where: { (try? archive.session(of: $0)) == session }) else {
            throw Failure(code: "unknown_interview", message: "this session has started no interview")
        }
        return newest
    }

    /// `{"interview"?: string, "format": "json" | "html"}`.
    static func params(_ params: JSONValue?) throws(Failure) -> (String?, String) {
        let usage = "interview.report takes {\"interview\"?: string, \"format\": \"json\" | \"html\"}"
        guard let members = params?.objectValue?.members else { throw Failure(code: "invalid_params", message: "format is missing; \(usage)") }
        var interview: String?
        var format: String?
        for (key, value) in members {
            switch key {
            case "interview":
                guard let text = value.stringValue else { throw Failure(code: "invalid_params", message: "interview must be a string, not \(value.typeName)") }
                interview = text
            case "format":
                guard let text = value.stringValue, text == "json" || text == "html" else {
                    throw Failure(code: "invalid_params", message: "format must be \"json\" or \"html\", not \(JSONWriter.compact(value))")
                }
                format = text
            default:
                throw Failure(code: "invalid_params", message: "unknown param \(JSONWriter.quoted(key)); \(usage)")
            }
        }
        guard let format else { throw Failure(code: "invalid_params", message: "format is missing; \(usage)") }
        return (interview, format)
    }

    /// Runs `body` on a Dispatch thread: reading a long interview takes a
    /// second of blocking SQLite work that must not hold a Swift concurrency thread.
    private static func offPool<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: body()) }
        }
    }
}
