import ProctorHost
import ProctorJSON

/// `interview.start`, `interview.phase` and `interview.end`, the host's
/// requests that start, divide and end an interview (docs/protocol.md, "Interviews").
struct InterviewRequests: Sendable {
    let agent: Agent

    static let maximumTitleLength = 200

    func answer(id: JSONValue, method: String, params: JSONValue?, session: SessionRecord) async -> String {
        do throws(InterviewError) {
            switch method {
            case "interview.start":
                let (title, page) = try Self.startParams(params)
                let guidelines = try Self.guidelines(page, over: await agent.config.guidelines)
                let states = await agent.pluginStates()
                return ServerMessage.response(id: id, result: try await agent.interviews.start(
                    title: title, guidelines: guidelines.json, session: session.id, pluginStates: states,
                    screen: agent.integrity.latest(topic: "screen.monitors")))
            case "interview.phase":
                return ServerMessage.response(id: id, result: try await agent.interviews.markPhase(InterviewManager.phaseName(params)))
            default:
                return ServerMessage.response(id: id, result: try await agent.interviews.end(reason: "request"))
            }
        } catch {
            return ServerMessage.response(id: id, error: error.code, error.message)
        }
    }

    /// The guidelines in force: the config's, made stricter by the page's.
    static func guidelines(_ page: JSONValue?, over config: Guidelines) throws(InterviewError) -> Guidelines {
        guard let page else { return config }
        do { return try GuidelineParser.page(page, over: config) } catch {
            throw InterviewError(code: "invalid_params", message: error.description)
        }
    }

    /// `{"title"?: string, "guidelines"?: object}`; anything else is `invalid_params`.
    static func startParams(_ params: JSONValue?) throws(InterviewError) -> (String?, JSONValue?) {
        guard let params, params != .null else { return (nil, nil) }
        guard let members = params.objectValue?.members else {
            throw InterviewError(code: "invalid_params", message: "params must be an object")
        }
        var title: String?
        var guidelines: JSONValue?
        for (key, value) in members {
            switch key {
            case "title":
                guard let text = value.stringValue, text.count <= maximumTitleLength else {
                    throw InterviewError(code: "invalid_params", message: "title must be a string of at most \(maximumTitleLength) characters")
                }
                title = text
            case "guidelines":
                guard value.objectValue != nil else { throw InterviewError(code: "invalid_params", message: "guidelines must be an object") }
                guidelines = value
            default:
                throw InterviewError(code: "invalid_params", message: "unknown param \(JSONWriter.quoted(key)); interview.start takes title and guidelines")
            }
        }
        return (title, guidelines)
    }
}
