import Foundation
import ProctorCall
import ProctorJSON
import ProctorTestSupport
import Testing

/// The built `proctord-call`: `serve` in a process of its own, and the room
/// commands against it, as a person would use them.
@Suite("proctord-call: serve and the room commands", .serialized)
struct CallExecutableTests {
    /// `proctord-call serve` on a free port; its port from the log line that announces it.
    static func serve(_ directory: TemporaryDirectory) async throws -> (AgentProcess, Int, String) {
        let config = directory.write("call.json", #"{"listen": {"host": "127.0.0.1", "port": 0}, "admin_secret_file": "state/admin-secret"}"#)
        let server = try AgentProcess(arguments: ["serve", "--config", config], executable: TestBuild.proctordCall)
        guard await server.waitForLog(containing: "call server on http://127.0.0.1:") else {
            throw CallTestFailure("proctord-call serve did not start: \(server.log.joined(separator: "\n"))")
        }
        let line = server.log.first { $0.contains("call server on http://127.0.0.1:") } ?? ""
        let port = try #require(line.components(separatedBy: "http://127.0.0.1:").dropFirst().first.flatMap { Int($0.prefix { $0.isNumber }) })
        return (server, port, config)
    }

    /// Runs `proctord-call <arguments>`; its exit status, stdout and stderr.
    static func run(_ arguments: [String]) async throws -> (status: Int32, output: String, errors: String) {
        try await offPool {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: TestBuild.proctordCall)
            process.arguments = arguments
            let out = Pipe(), err = Pipe()
            process.standardOutput = out
            process.standardError = err
            try process.run()
            let output = out.fileHandleForReading.readDataToEndOfFile()
            let errors = err.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: errors, as: UTF8.self))
        }
    }

    static func codes(in text: String) -> [String] {
        text.matches(of: /[0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5}/).map { String($0.output) }
    }

    @Test("room create against a running server prints codes that open the room; list and delete work; the log holds no code or secret")
    func createListDelete() async throws {
        let directory = TemporaryDirectory("proctord-call-cli")
        let (server, port, config) = try await Self.serve(directory)
        let secretFile = directory.path + "/state/admin-secret"
        let mode = try FileManager.default.attributesOfItem(atPath: secretFile)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
        let adminSecret = try #require(try AdminSecret.read(secretFile))
        let url = "http://127.0.0.1:\(port)"

        let created = try await Self.run(["room", "create", "--config", config, "--server", url, "--title", "CLI room", "--duration", "45m"])
        #expect(created.status == 0, "\(created.errors)")
        let lines = created.output.split(separator: "\n")
        let codes = ["interviewee code:", "interviewer code:"].flatMap { label in Self.codes(in: String(lines.first { $0.contains(label) } ?? "")) }
        #expect(codes.count == 2, "\(created.output)")
        #expect(Set(Self.codes(in: created.output)) == Set(codes), "the links carry the same codes")
        let secret = try #require(created.output.components(separatedBy: "interviewer secret: ").dropFirst().first?.prefix { !$0.isWhitespace }).description
        #expect(secret.count == 43)
        let id = try #require(created.output.components(separatedBy: "room ").dropFirst().first?.prefix { $0 != ":" }).description

        try #require(codes.count == 2)
        let interviewee = try await HTTPAnswer.exchange("POST", port: port, path: "/api/rooms/check", body: JSONWriter.compact(["code": .string(codes[0])]))
        #expect(interviewee.json["role"] == "interviewee")
        #expect(interviewee.json["room"]?["title"] == "CLI room")
        let interviewer = try await HTTPAnswer.exchange(
            "POST", port: port, path: "/api/rooms/check", body: JSONWriter.compact(["code": .string(codes[1]), "secret": .string(secret)]))
        #expect(interviewer.json["role"] == "interviewer")
        // A join too, so the log has had its chance to write a code.
        let socket = try await WebSocketTestClient.connect(port: port, path: "/api/signal", origin: url)
        try await socket.send(JSONWriter.compact(["type": "join", "code": .string(codes[1]), "secret": .string(secret), "peerId": "p1"]))
        #expect(try JSONParser.parse(try await socket.receiveText())["type"] == "joined")

        let listed = try await Self.run(["room", "list", "--config", config, "--server", url])
        #expect(listed.status == 0)
        #expect(listed.output.contains(id) && listed.output.contains("CLI room") && listed.output.contains("connected: interviewer"), "\(listed.output)")
        #expect(Self.codes(in: listed.output).isEmpty)

        let deleted = try await Self.run(["room", "delete", "--config", config, "--server", url, id])
        #expect(deleted.status == 0, "\(deleted.errors)")
        #expect(try await socket.receiveClose().code == 4410)
        let gone = try await Self.run(["room", "delete", "--config", config, "--server", url, id])
        #expect(gone.status != 0)
        #expect(gone.errors.contains("HTTP 404"), "\(gone.errors)")

        #expect(await server.waitForLog(containing: "room \(id) deleted"))
        let log = server.log.joined(separator: "\n")
        for text in codes + codes.map({ $0.replacingOccurrences(of: "-", with: "") }) + [secret, adminSecret] {
            #expect(!log.contains(text), "the server's log must not hold a code or secret")
        }
        #expect(log.contains("room \(id) created"), "the log does say what happened")
    }

    @Test("room commands with a wrong admin secret fail with the server's reason")
    func wrongSecret() async throws {
        let directory = TemporaryDirectory("proctord-call-cli")
        let (_, port, config) = try await Self.serve(directory)
        let wrong = directory.write("wrong-secret", "0123456789abcdef0123456789abcdef\n")
        let answer = try await Self.run(["room", "list", "--config", config, "--server", "http://127.0.0.1:\(port)", "--admin-secret-file", wrong])
        #expect(answer.status == 1)
        #expect(answer.errors.contains("HTTP 401"), "\(answer.errors)")
    }

    @Test("a bad call.json stops serve with exit 78 and names the key")
    func badConfig() async throws {
        let directory = TemporaryDirectory("proctord-call-cli")
        let config = directory.write("call.json", #"{"listen": {"port": "8444"}}"#)
        let answer = try await Self.run(["serve", "--config", config])
        #expect(answer.status == 78)
        #expect(answer.errors.contains("\(config): listen.port: \"8444\" is not a port"), "\(answer.errors)")
    }
}

@Suite("Call server: https with a given certificate")
struct CallTLSTests {
    @Test("with a certificate and key the server speaks https, and its origin is https")
    func https() async throws {
        let directory = TemporaryDirectory("proctord-call-tls")
        let made = try await Shell.runWithStatus("openssl", [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", directory.path + "/key.pem", "-out", directory.path + "/cert.pem",
        ])
        #expect(made.status == 0)
        let server = try await CallServerHarness {
            $0.certificate = directory.path + "/cert.pem"
            $0.privateKey = directory.path + "/key.pem"
        }
        #expect(server.services.site.origin == "https://127.0.0.1:\(server.port)")
        let room = try await server.services.registry.create(title: "TLS", startsAt: nil, duration: 600)
        let code = try #require(room.codes[.interviewee]).grouped
        let answer = try await Shell.runWithStatus("curl", [
            "-sS", "--cacert", directory.path + "/cert.pem", "-H", "Content-Type: application/json",
            "--data", #"{"code":"\#(code)"}"#, "https://127.0.0.1:\(server.port)/api/rooms/check",
        ])
        #expect(answer.status == 0)
        #expect(try JSONParser.parse(answer.output)["role"] == "interviewee")
        // Plain http on the https port is not served.
        let plain = try? await HTTPAnswer.exchange("GET", port: server.port, path: "/healthz")
        #expect(plain?.status != 200)
    }
}
