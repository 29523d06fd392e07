import Foundation
import ProctorJSON
import ProctorTestSupport

/// The call server (`proctord-call serve`, the built release binary) holding
/// many rooms, each with both peers joined on idle signalling WebSockets:
/// its resident memory idle and loaded, the memory a room costs, and how
/// long a join takes to be answered with `joined`.
struct CallBenchmark {
    let rooms: Int

    func run() async throws -> [Figure] {
        raiseDescriptorLimit()  // 2 sockets a room here, 2 in the server (which inherits the limit)
        let directory = TemporaryDirectory("proctord-call-bench")
        let config = directory.write("call.json", #"{"listen": {"port": 0}, "admin_secret_file": "admin-secret", "rooms": {"max": \#(rooms + 10)}}"#)
        // BENCH_CALL_SERVER: another build of it (a release one beside a debug bench).
        let executable = ProcessInfo.processInfo.environment["BENCH_CALL_SERVER"] ?? TestBuild.proctordCall
        let server = try AgentProcess(arguments: ["serve", "--config", config], executable: executable)
        guard await server.waitForLog(containing: "call server on http://127.0.0.1:") else {
            throw BenchFailure("proctord-call did not start: \(server.log.joined(separator: "\n"))")
        }
        let line = server.log.first { $0.contains("call server on http://127.0.0.1:") } ?? ""
        guard let port = line.components(separatedBy: "http://127.0.0.1:").dropFirst().first.flatMap({ Int($0.prefix { $0.isNumber }) }) else {
            throw BenchFailure("no port in \(line)")
        }
        let secret = try String(contentsOfFile: directory.path + "/admin-secret", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        // One request first, so the idle figure is of a server that has served.
        _ = try await HTTPGet.get(port: port, path: "/healthz")
        let idleKiB = Double(Processes.residentKiB(server.pid) ?? 0)

        let (sockets, latencies) = try await offPool { () -> ([WebSocketTestClient], [Double]) in
            var sockets: [WebSocketTestClient] = []
            var latencies: [Double] = []
            let origin = "http://127.0.0.1:\(port)"
            for index in 0..<rooms {
                let created = try HTTPPost.json(port: port, path: "/api/admin/rooms", body: #"{"title":"bench \#(index)"}"#, bearer: secret)
                guard let interviewer = created["codes"]?["interviewer"]?.stringValue, let interviewee = created["codes"]?["interviewee"]?.stringValue,
                      let roomSecret = created["interviewerSecret"]?.stringValue else { throw BenchFailure("room \(index): \(created)") }
                for (code, secret) in [(interviewer, Optional(roomSecret)), (interviewee, nil)] {
                    let socket = try WebSocketTestClient.connectNow(port: port, path: "/api/signal", origin: origin)
                    var join: JSONObject = ["type": "join", "code": .string(code), "peerId": .string("bench-\(index)-\(secret == nil ? "ee" : "er")")]
                    if let secret { join["secret"] = .string(secret) }
                    let start = ContinuousClock.now
                    try socket.sendNow(JSONWriter.compact(.object(join)))
                    _ = try socket.receiveNow(until: { $0.contains(#""type":"joined""#) })
                    latencies.append((ContinuousClock.now - start).milliseconds)
                    sockets.append(socket)
                }
            }
            return (sockets, latencies)
        }
        let list = try HTTPPost.json(port: port, path: "/api/admin/rooms", method: "GET", bearer: secret)
        let full = (list["rooms"]?.arrayValue ?? []).filter { $0["connected"]?.arrayValue?.count == 2 }.count
        let loadedKiB = Double(Processes.residentKiB(server.pid) ?? 0)
        let sorted = latencies.sorted()
        _ = sockets.count
        return [
            Figure(name: "call server RSS, idle", value: idleKiB / 1024, unit: "MiB", target: nil, higherIsBetter: false),
            Figure(name: "rooms held with 2 joined idle peers each", value: Double(full), unit: "rooms", target: 1000, higherIsBetter: true),
            Figure(name: "call server RSS with them", value: loadedKiB / 1024, unit: "MiB", target: nil, higherIsBetter: false),
            Figure(name: "memory per room (2 peers)", value: (loadedKiB - idleKiB) / Double(max(1, full)), unit: "KiB", target: nil, higherIsBetter: false),
            Figure(name: "join -> joined, median (\(sorted.count) joins)", value: percentile(sorted, 0.5), unit: "ms", target: nil, higherIsBetter: false),
            Figure(name: "join -> joined, p99", value: percentile(sorted, 0.99), unit: "ms", target: nil, higherIsBetter: false),
        ]
    }

    private func raiseDescriptorLimit() {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        limit.rlim_cur = limit.rlim_max
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}

struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A JSON request to the call server's admin API over a raw socket.
enum HTTPPost {
    static func json(port: Int, path: String, method: String = "POST", body: String = "", bearer: String) throws -> JSONValue {
        let connection = try RawTCP(port: port)
        try connection.send("\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\nAuthorization: Bearer \(bearer)\r\n"
            + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
        let whole = String(decoding: connection.readToEnd(), as: UTF8.self)
        guard let split = whole.range(of: "\r\n\r\n") else { throw BenchFailure("no answer to \(method) \(path)") }
        var content = String(whole[split.upperBound...])
        if whole[..<split.lowerBound].lowercased().contains("transfer-encoding: chunked"), let firstLine = content.range(of: "\r\n") {
            content = String(content[firstLine.upperBound...])
            if let end = content.range(of: "\r\n0\r\n", options: .backwards) { content = String(content[..<end.lowerBound]) }
        }
        return try JSONParser.parse(content)
    }
}

extension Duration {
    fileprivate var milliseconds: Double { Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15 }
}
