import Foundation
import ProctorJSON

/// The real `proctord-call` executable, serving this checkout's `web/` on a
/// free loopback port with its own configuration and admin secret in a
/// temporary directory. Killed when the value goes away.
public final class CallServerProcess: @unchecked Sendable {
    public let directory = TemporaryDirectory("proctord-call-browser")
    public let process = Process()
    public let port: Int

    public var origin: String { "http://127.0.0.1:\(port)" }
    public var log: String { (try? String(contentsOfFile: directory.path + "/server.log", encoding: .utf8)) ?? "" }

    /// `executable`: another build of the server (a release one beside a debug bench, say).
    public init(executable: String = TestBuild.proctordCall) async throws {
        port = try FreePort.pick()
        let config = directory.write("call.json", """
            {"listen": {"host": "127.0.0.1", "port": \(port)}, "admin_secret_file": "\(directory.path)/state/admin-secret"}
            """)
        _ = FileManager.default.createFile(atPath: directory.path + "/server.log", contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["serve", "--config", config]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: directory.path + "/server.log")
        try ParentBoundLaunch.run(process)
        // Ready when the interviewee's page answers.
        let deadline = Date(timeIntervalSinceNow: 20)
        while Date() < deadline {
            if let answer = try? await HTTPGet.get(port: port, path: "/"), answer.status == 200 { return }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw HarnessError("proctord-call did not serve / on port \(port): \(log.suffix(1000))")
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Creates a room through the admin API; its answer (codes, secret, links).
    public func createRoom(title: String, startsAt: Date? = nil, minutes: Int = 30) async throws -> JSONValue {
        let secret = try String(contentsOfFile: directory.path + "/state/admin-secret", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        var body: JSONObject = ["title": .string(title), "durationMinutes": .number(Double(minutes))]
        if let startsAt { body["startsAt"] = .string(ISO8601DateFormatter().string(from: startsAt)) }
        let (status, answer) = try await post("/api/admin/rooms", JSONWriter.compact(.object(body)), bearer: secret)
        guard status == 201 else { throw HarnessError("create room: HTTP \(status): \(answer)") }
        return try JSONParser.parse(answer)
    }

    /// One POST with a JSON body over a raw socket: the status and the body.
    public func post(_ path: String, _ body: String, bearer: String? = nil) async throws -> (Int, String) {
        let port = self.port
        return try await offPool {
            let connection = try RawTCP(port: port)
            let bytes = Array(body.utf8)
            var head = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: \(bytes.count)\r\n"
            if let bearer { head += "Authorization: Bearer \(bearer)\r\n" }
            try connection.send(head + "\r\n" + body)
            let whole = String(decoding: connection.readToEnd(), as: UTF8.self)
            guard let split = whole.range(of: "\r\n\r\n") else { throw HarnessError("no HTTP answer to POST \(path): \(whole.prefix(200))") }
            let status = Int(whole[..<split.lowerBound].split(separator: " ").dropFirst().first ?? "") ?? 0
            var content = String(whole[split.upperBound...])
            // A chunked answer: its JSON lies between the first size line and the closing 0.
            if let open = content.firstIndex(of: "{"), let close = content.lastIndex(of: "}") { content = String(content[open...close]) }
            return (status, content)
        }
    }
}
