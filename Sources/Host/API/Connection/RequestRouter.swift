import ProctorHost
import ProctorJSON
import Synchronization

/// Answers a client's `request`: `target: "host"` is answered here, any
/// other target is a plugin and gets the request through its supervisor.
struct RequestRouter: Sendable {
    let services: APIServices

    /// The whole `response` message for request `id`.
    func answer(
        id: JSONValue, target: String, method: String, params: JSONValue?, session: SessionRecord, connection: Int
    ) async -> String {
        if target == "host" {
            return await answerHost(id: id, method: method, params: params, session: session, connection: connection)
        }
        guard let supervisor = await services.agent.supervisor(target) else {
            let known = await services.agent.supervisors.keys.sorted().joined(separator: ", ")
            return ServerMessage.response(id: id, error: "unknown_target", "no plugin \(JSONWriter.quoted(target)) (running: host, \(known))")
        }
        // Method first, as the ABI promises plugins; and only method and params: a page's request never
        // carries the agent's "caller" mark, which plugins trust (docs/plugin-abi.md).
        var request: JSONObject = ["method": .string(method)]
        if let params { request["params"] = params }
        let text = JSONWriter.compact(.object(request))
        do {
            let answer = try await withTimeout(APILimits.requestTimeout) { try await supervisor.request(text) }
            return ServerMessage.response(id: id, rawAnswer: answer)
        } catch is RequestTimedOut {
            return ServerMessage.response(id: id, error: "timeout", "plugin \(target) did not answer within \(APILimits.requestTimeout)")
        } catch {
            let state = await supervisor.state.name
            let code = state == .running || state == .degraded ? "failed" : "not_running"
            return ServerMessage.response(id: id, error: code, "\(error)")
        }
    }

    private func answerHost(id: JSONValue, method: String, params: JSONValue?, session: SessionRecord, connection: Int) async -> String {
        switch method {
        case "plugins.list":
            return ServerMessage.response(id: id, result: ["plugins": await pluginList()])
        case "session.info":
            guard case .object(var info) = session.publicJSON else { return ServerMessage.response(id: id, result: session.publicJSON) }
            info["subscribed"] = .array((services.clients.entry(connection)?.topics ?? []).map(JSONValue.string))
            return ServerMessage.response(id: id, result: .object(info))
        case "session.end":
            // The connection closes itself, then revokes the token.
            return ServerMessage.response(id: id, result: [:])
        case "interview.start", "interview.phase", "interview.end":
            return await InterviewRequests(agent: services.agent).answer(id: id, method: method, params: params, session: session)
        case "interview.report":
            let interviews = services.agent.interviews
            return await ReportRequest(archive: InterviewArchive(directory: interviews.directory))
                .answer(id: id, params: params, session: session, running: await interviews.current)
        case _ where PageReport.topics.contains(method):
            do throws(PageSignalError) {
                return ServerMessage.response(id: id, result: try services.pageSignals.report(method: method, params: params, session: session))
            } catch {
                return ServerMessage.response(id: id, error: error.code, error.message)
            }
        case "integrity.summary":
            guard let summary = services.agent.integrity.summary() else {
                return ServerMessage.response(id: id, error: "no_interview", "no interview has run since the agent started")
            }
            return ServerMessage.response(id: id, result: summary)
        default:
            return ServerMessage.response(id: id, error: "unknown_method", "the host answers plugins.list, session.info, session.end, interview.start, interview.phase, interview.end, interview.report, integrity.summary, \(PageReport.topics.joined(separator: ", ")), not \(JSONWriter.quoted(method))")
        }
    }

    /// Every configured plugin with its state, and the host's own topics:
    /// what the page may ask about and what may be shared.
    func pluginList() async -> JSONValue {
        var list: [JSONValue] = [[
            "id": "host", "name": "proctord", "version": .string(ProctorVersion.string), "state": "running",
            "topics": .array(["plugin.state", "bus.dropped", "interview.started", "interview.resumed", "interview.phase", "interview.ended", "store.state",
                       "gaze.heatmap", "alert", "assist", "integrity.context", "integrity.summary"] + PageReport.topics.map(JSONValue.string)),
            "reason": .null,
        ]]
        for report in await services.agent.reports where report.entry.enabled {
            var item: JSONObject = ["id": .string(report.entry.id)]
            if let manifest = report.manifest {
                item["name"] = .string(manifest.name)
                item["version"] = .string(manifest.version)
                item["topics"] = .array(manifest.topics.map(JSONValue.string))
            }
            if let supervisor = await services.agent.supervisor(report.entry.id) {
                let state = await supervisor.state
                item["state"] = .string(state.name.rawValue)
                item["reason"] = state.reason.map(JSONValue.string) ?? .null  // always present: null when there is none
            } else {
                item["state"] = "failed"
                item["reason"] = .string(report.loadError?.description ?? "not loadable")
            }
            list.append(.object(item))
        }
        return .array(list)
    }
}

struct RequestTimedOut: Error {}

/// Runs `body`, giving up after `limit`. The body may not be cancellable (a
/// plugin that is busy answers when it answers), so this returns at the
/// limit without waiting for it; its late result is dropped.
func withTimeout<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    let once = ResumeOnce<T>()
    return try await withCheckedThrowingContinuation { continuation in
        once.set(continuation)
        let timer = Task {
            try await Task.sleep(for: limit)
            once.resume(with: .failure(RequestTimedOut()))
        }
        Task {
            let result = await Result(catching: { try await body() })
            timer.cancel()
            once.resume(with: result)
        }
    }
}

/// A continuation resumed by whichever of several tasks finishes first.
final class ResumeOnce<T: Sendable>: Sendable {
    private let slot = Mutex<CheckedContinuation<T, any Error>?>(nil)

    func set(_ continuation: CheckedContinuation<T, any Error>) { slot.withLock { $0 = continuation } }

    func resume(with result: Result<T, any Error>) {
        slot.withLock { $0.take() }?.resume(with: result)
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
