import Foundation
import Logging
import ProctorCall
import ProctorJSON
import ProctorTestSupport
import Synchronization

/// A call server in the test process on a free port (port 0), with its log
/// captured so a test can check what it wrote, and its admin secret in a
/// temporary directory.
final class CallServerHarness: @unchecked Sendable {
    let directory = TemporaryDirectory("proctord-call-test")
    let services: CallServices
    let log = CapturedLog()
    let secret: String
    let port: Int
    private let task: Task<Void, any Error>

    init(
        limiter: JoinRateLimiter = JoinRateLimiter(), web: String? = nil, pingInterval: Duration = .seconds(20), silenceLimit: Duration = .seconds(60),
        configure: (inout CallConfig) -> Void = { _ in }
    ) async throws {
        var config = CallConfig(adminSecretFile: directory.path + "/state/admin-secret")
        config.port = 0
        configure(&config)
        let admin = try AdminSecret.loadOrCreate(config.adminSecretFile)
        secret = try AdminSecret.read(config.adminSecretFile)!
        var logger = Logger(label: "proctord-call") { [log] _ in log.handler }
        logger.logLevel = .debug
        services = CallServices(
            config: config, adminSecret: admin, webDirectory: web, logger: logger, limiter: limiter, pingInterval: pingInterval, silenceLimit: silenceLimit)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        task = Task { [services] in
            try await CallServer(services: services).run { continuation.yield($0) }
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CallTestFailure("the call server did not start") }
        self.port = port
    }

    deinit { task.cancel() }

    var origin: String { "http://127.0.0.1:\(port)" }

    /// One HTTP request with a JSON body; the status, headers (lower-case names) and JSON answer.
    func request(
        _ method: String, _ path: String, body: JSONValue? = nil, bearer: String? = nil, host: String? = nil
    ) async throws -> HTTPAnswer {
        var headers: [String: String] = [:]
        if let bearer { headers["Authorization"] = "Bearer \(bearer)" }
        return try await HTTPAnswer.exchange(method, port: port, path: path, body: body.map(JSONWriter.compact), headers: headers, host: host)
    }

    /// Creates a room through the admin API; its answer (with the codes).
    func createRoom(_ body: JSONValue = [:]) async throws -> JSONValue {
        let answer = try await request("POST", "/api/admin/rooms", body: body, bearer: secret)
        guard answer.status == 201 else { throw CallTestFailure("create room: HTTP \(answer.status): \(answer.body)") }
        return answer.json
    }

    /// A signalling socket from this server's own origin.
    func signal(origin: String? = nil, host: String? = nil) async throws -> WebSocketTestClient {
        try await WebSocketTestClient.connect(port: port, path: "/api/signal", host: host, origin: origin ?? self.origin)
    }

    /// A socket that joined with `code` (and `secret`) as `peerId`; the `joined` message.
    func join(code: String, secret: String? = nil, peerId: String = UUID().uuidString) async throws -> (WebSocketTestClient, JSONValue) {
        let socket = try await signal()
        var message: JSONObject = ["type": "join", "code": .string(code), "peerId": .string(peerId)]
        if let secret { message["secret"] = .string(secret) }
        try await socket.send(JSONWriter.compact(.object(message)))
        let answer = try JSONParser.parse(try await socket.receiveText())
        return (socket, answer)
    }
}

struct CallTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Every line the server logged, metadata included.
final class CapturedLog: Sendable {
    private let lines = Mutex<[String]>([])

    var handler: Handler { Handler(log: self) }
    var all: [String] { lines.withLock { $0 } }
    func append(_ line: String) { lines.withLock { $0.append(line) } }

    struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            log.append("\(event.level) \(event.message) \(all) \(event.error.map { "\($0)" } ?? "")")
        }
    }
}

/// An HTTP exchange over a raw socket: any method, body and Host.
struct HTTPAnswer {
    let status: Int
    let headers: [String: String]
    let body: String

    var json: JSONValue { (try? JSONParser.parse(body)) ?? .null }
    var errorCode: String? { json["error"]?["code"]?.stringValue }

    static func exchange(
        _ method: String, port: Int, path: String, body: String? = nil, headers: [String: String] = [:], host: String? = nil
    ) async throws -> HTTPAnswer {
        try await offPool {
            let connection = try RawTCP(port: port)
            let bytes = Array((body ?? "").utf8)
            var text = "\(method) \(path) HTTP/1.1\r\nHost: \(host ?? "127.0.0.1:\(port)")\r\nConnection: close\r\nContent-Length: \(bytes.count)\r\n"
            if body != nil { text += "Content-Type: application/json\r\n" }
            for (name, value) in headers { text += "\(name): \(value)\r\n" }
            try connection.send(text + "\r\n" + (body ?? ""))
            let whole = String(decoding: connection.readToEnd(), as: UTF8.self)
            guard let split = whole.range(of: "\r\n\r\n") else { throw CallTestFailure("no HTTP answer: \(whole.prefix(200))") }
            let head = whole[..<split.lowerBound].components(separatedBy: "\r\n")
            var fields: [String: String] = [:]
            for line in head.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            let status = Int(head[0].split(separator: " ").dropFirst().first ?? "") ?? 0
            var content = String(whole[split.upperBound...])
            if fields["transfer-encoding"] == "chunked" { content = dechunk(content) }
            return HTTPAnswer(status: status, headers: fields, body: content)
        }
    }

    private static func dechunk(_ text: String) -> String {
        var rest = Substring(text), out = ""
        while let line = rest.range(of: "\r\n"), let size = Int(rest[..<line.lowerBound], radix: 16), size > 0 {
            let start = line.upperBound
            let bytes = Array(rest[start...].utf8)
            out += String(decoding: bytes.prefix(size), as: UTF8.self)
            rest = Substring(String(decoding: bytes.dropFirst(size + 2), as: UTF8.self))
        }
        return out
    }
}
