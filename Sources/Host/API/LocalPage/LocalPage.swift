import Foundation
import HTTPTypes
import Hummingbird
import ProctorHost
import ProctorJSON

/// The agent's own page at `http://127.0.0.1:PORT/`, for the person at the
/// machine: the pairing code, the connected pages, each plugin's state, and
/// exactly which topics go to whom. Only this user's processes reach it
/// (LocalOnlyMiddleware); changes need the page's own Origin, so another
/// site cannot forge them, and the page refuses to be framed.
struct LocalPage {
    let services: APIServices

    /// The files the page is made of, and nothing else, from the web directory.
    static let files: [String: (file: String, type: String)] = [
        "/": ("agent/index.html", "text/html; charset=utf-8"),
        "/agent.js": ("agent/agent.js", "text/javascript; charset=utf-8"),
        "/agent.css": ("agent/agent.css", "text/css; charset=utf-8"),
        "/proctor-client.js": ("proctor-client.js", "text/javascript; charset=utf-8"),
    ]

    static let securityHeaders: HTTPFields = [
        .contentSecurityPolicy: "default-src 'self'; connect-src 'self'; frame-ancestors 'none'",
        HTTPField.Name("X-Frame-Options")!: "DENY",
        HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        .cacheControl: "no-store",
    ]

    func add(to router: Router<APIRequestContext>) {
        for (path, file) in Self.files {
            router.get(RouterPath(path)) { _, _ in try serve(file.file, type: file.type) }
        }
        router.get("/local/status") { _, _ in
            var headers = Self.securityHeaders
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: .init(string: JSONWriter.compact(await status()))))
        }
        router.post("/local/pairing/unlock") { request, context in
            if let refusal = ownPageOnly("end a pairing lock", request: request, context: context, services: services) { return refusal }
            let ended = services.unlockPairing(from: "the agent's page")
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: .init(string: JSONWriter.compact(["unlocked": .array(ended.map(JSONValue.string))]))))
        }
        addOriginRoutes(to: router)
        router.post("/local/sessions/revoke") { request, context in
            if let refusal = ownPageOnly("revoke sessions", request: request, context: context, services: services) { return refusal }
            let session = request.uri.queryParameters.get("session")
            let revoked = services.sessions.revoke(session)
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: .init(string: JSONWriter.compact(["revoked": .array(revoked.map(JSONValue.string))]))))
        }
    }

    /// Allow, ignore or remove one origin (`?origin=`), for the person at the machine.
    private func addOriginRoutes(to router: Router<APIRequestContext>) {
        let choices: [(String, String, @Sendable (OriginConsent, String) throws -> (origin: String, change: OriginConsent.Change))] = [
            ("allow", "allow a site", { try $0.allow($1) }),
            ("ignore", "ignore a site", { try $0.ignore($1) }),
            ("remove", "remove a site", { try $0.remove($1) }),
        ]
        for (name, what, choose) in choices {
            router.post(RouterPath("/local/origins/\(name)")) { request, context in
                if let refusal = ownPageOnly(what, request: request, context: context, services: services) { return refusal }
                guard let consent = services.checks.consent else { throw HTTPError(.notFound, message: "origin consent is off") }
                guard let text = request.uri.queryParameters.get("origin") else {
                    throw HTTPError(.badRequest, message: "name the site: ?origin=https://example.com")
                }
                do {
                    let (origin, change) = try choose(consent, text)
                    services.logger.notice("origin \(origin): \(change) on the agent's page")
                    return Response(status: .ok, headers: [.contentType: "application/json"],
                                    body: .init(byteBuffer: .init(string: JSONWriter.compact(["origin": .string(origin), "change": .string("\(change)")]))))
                } catch {
                    throw HTTPError(.badRequest, message: "\(error)")
                }
            }
        }
    }

    private func serve(_ relative: String, type: String) throws -> Response {
        guard let directory = services.webDirectory, let bytes = try? readWholeFile(directory + "/" + relative) else {
            throw HTTPError(.notFound, message: "the agent's page is not installed (no \(relative) in the web directory)")
        }
        var headers = Self.securityHeaders
        headers[.contentType] = type
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: .init(bytes: bytes)))
    }

    /// Everything the page shows, in one JSON object.
    func status() async -> JSONValue {
        return [
            "agent": ["version": .string(ProctorVersion.string), "session": .string(services.agentSession)],
            "pairing": services.pairing.json(),
            "clients": services.clients.json,
            "sessions": .array(services.sessions.active.map(\.publicJSON)),
            "plugins": await RequestRouter(services: services).pluginList(),
            "origins": services.checks.consent?.json(configured: services.checks.allowedOrigins.sorted()) ?? .null,
            "signals": await signals(),
        ]
    }

    /// Which signals a running plugin observes on this desktop and which only
    /// the pages report, with each page's last reports (by session).
    func signals() async -> JSONValue {
        var watching: Set<String> = []
        for report in await services.agent.reports where report.entry.enabled {
            guard let supervisor = await services.agent.supervisor(report.entry.id), await supervisor.state.name == .running else { continue }
            watching.formUnion(SignalCoverage.roles(of: [report.entry.library]))
        }
        let found = SignalCoverage.desktop(environment: ProcessInfo.processInfo.environment)
        // A plugin running on Wayland sees the compositor's windows, whatever the compositor is called.
        let desktop = found.desktop == .waylandLimited && !watching.isEmpty ? SignalCoverage.Desktop.waylandWlroots : found.desktop
        guard case .object(var table) = SignalCoverage.json(desktop: desktop, name: found.name, sees: watching.contains) else { return .null }
        var pages: JSONObject = [:]
        for (session, reports) in services.pageSignals.latest.sorted(by: { $0.key < $1.key }) {
            var topics: JSONObject = [:]
            for (topic, fields) in reports.sorted(by: { $0.key < $1.key }) { topics[topic] = .object(fields) }
            pages[session] = .object(topics)
        }
        table["pages"] = .object(pages)
        return .object(table)
    }
}
