import Foundation
import ProctorCall
import ProctorTestSupport
import Testing

@Suite("Call server: the pages and their headers")
struct PagesTests {
    /// A web directory shaped like the repository's, with stand-in pages (web/call/ is another part's work).
    static func webDirectory() -> TemporaryDirectory {
        let web = TemporaryDirectory("proctord-call-web")
        try! FileManager.default.createDirectory(atPath: web.path + "/call/parts", withIntermediateDirectories: true)
        web.write("call/index.html", "<!doctype html><title>interviewee</title>")
        web.write("call/interviewer.html", "<!doctype html><title>interviewer</title>")
        web.write("call/call.css", "body { margin: 0 }")
        web.write("call/parts/devices.js", "export const devices = 1;")
        web.write("call/.secret", "hidden")
        web.write("proctor-client.js", "// client")
        web.write("calibration.js", "// calibration")
        web.write("README.md", "not served")
        return web
    }

    @Test("the two pages and their files are served with a strict CSP, nosniff and no referrer")
    func pages() async throws {
        let web = Self.webDirectory()
        let server = try await CallServerHarness(web: web.path)
        let expected: [(String, String, String)] = [
            ("/", "interviewee", "text/html"), ("/interviewer", "interviewer", "text/html"), ("/static/call/call.css", "margin", "text/css"),
            ("/static/call/parts/devices.js", "devices", "text/javascript"), ("/static/proctor-client.js", "// client", "text/javascript"),
            ("/static/calibration.js", "// calibration", "text/javascript"),
        ]
        for (path, content, type) in expected {
            let answer = try await HTTPAnswer.exchange("GET", port: server.port, path: path)
            #expect(answer.status == 200, "\(path)")
            #expect(answer.body.contains(content), "\(path)")
            #expect(answer.headers["content-type"]?.hasPrefix(type) == true, "\(path)")
            let policy = try #require(answer.headers["content-security-policy"], "\(path)")
            #expect(policy.contains("script-src 'self'") && policy.contains("style-src 'self'") && !policy.contains("unsafe-inline"))
            #expect(policy.contains("connect-src 'self' ws://127.0.0.1:*"))
            #expect(policy.contains("frame-ancestors 'none'"))
            #expect(answer.headers["x-content-type-options"] == "nosniff")
            #expect(answer.headers["referrer-policy"] == "no-referrer")
        }
        for path in ["/static/call/.secret", "/static/../README.md", "/static/%2e%2e/README.md", "/static/README.md", "/static/call.css"] {
            let answer = try await HTTPAnswer.exchange("GET", port: server.port, path: path)
            #expect(answer.status == 404, "\(path)")
            #expect(!answer.body.contains("hidden") && !answer.body.contains("not served"), "\(path)")
            #expect(answer.headers["content-security-policy"] != nil, "errors carry the headers too: \(path)")
        }
    }

    @Test("without the pages installed, / answers 404 saying so")
    func notInstalled() async throws {
        let empty = TemporaryDirectory("proctord-call-web")
        let server = try await CallServerHarness(web: empty.path)
        let answer = try await HTTPAnswer.exchange("GET", port: server.port, path: "/")
        #expect(answer.status == 404)
        #expect(answer.body.contains("not installed"))
    }

    @Test("a server bound to every address answers to its loopback names, and to no other name")
    func wildcardHosts() {
        for address in ["0.0.0.0", "::"] {
            var config = CallConfig()
            config.host = address
            let site = CallSite()
            site.bind(config: config, port: 8444)
            for host in ["127.0.0.1:8444", "localhost:8444", "[::1]:8444"] { #expect(site.accepts(host: host), "\(address): \(host)") }
            #expect(!site.accepts(host: "attacker.example:8444"), "a rebound name is still refused")
            #expect(!site.accepts(host: "127.0.0.1:8445"))
        }
    }

    @Test("call.json errors name the file, the key and the value")
    func configErrors() throws {
        let directory = TemporaryDirectory("proctord-call-config")
        let cases: [(String, String)] = [
            (#"{"listen": {"port": 70000}}"#, "listen.port: 70000 is not a port"),
            (#"{"listen": {"hots": "x"}}"#, "listen.hots: \"x\" is not a known key"),
            (#"{"public_origin": "ftp://x"}"#, "public_origin: \"ftp://x\" is not an origin"),
            (#"{"rooms": {"max": 0}}"#, "rooms.max: 0 is not a whole number"),
            (#"{"ice_servers": [{"url": "stun:x"}]}"#, "ice_servers[0]: {\"url\":\"stun:x\"} is not an RTCIceServer"),
            (#"{"tls": {"certificate": "cert.pem"}}"#, "tls: {\"certificate\":\"cert.pem\"} needs both"),
            (#"{"listen": "#, "not JSON"),
        ]
        for (text, message) in cases {
            let file = directory.write("call.json", text)
            #expect {
                _ = try CallConfig.load(file)
            } throws: { error in
                "\(error)".hasPrefix(file + ": ") && "\(error)".contains(message)
            }
        }
        let file = directory.write("call.json", #"{"listen": {"host": "127.0.0.1", "port": 0}, "tls": {"certificate": "c.pem", "private_key": "/k.pem"}, "admin_secret_file": "s/secret", "public_origin": "HTTPS://Call.Example.com:443/"}"#)
        let config = try CallConfig.load(file)
        #expect(config.port == 0)
        let base = (file as NSString).deletingLastPathComponent
        #expect(config.certificate == base + "/c.pem", "relative paths are the file's directory's")
        #expect(config.privateKey == "/k.pem")
        #expect(config.adminSecretFile == base + "/s/secret")
        #expect(config.publicOrigin == "https://call.example.com")
        #expect(config.maximumRooms == 5000)
    }
}
