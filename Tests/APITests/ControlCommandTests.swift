import Foundation
import ProctorJSON
import ProctorTestSupport
import Testing

/// `proctord pairing-code` and `proctord sessions` against a running agent,
/// through its control socket, as the person at the machine uses them.
@Suite(.serialized) struct ControlCommandTests {
    static let page = "https://meet.example.com"

    @Test func theCommandLineShowsTheCodeListsAndRevokesSessions() async throws {
        let dir = TemporaryDirectory()
        var builder = ConfigBuilder()
        builder.api = ["port": 0, "allowed_origins": [.string(Self.page)]]
        builder.add(id: "heartbeat", library: "heartbeat")
        let environment = ["XDG_RUNTIME_DIR": dir.path]
        let agent = try AgentProcess(arguments: ["run", "--config", builder.write(to: dir), "--state-dir", dir.path + "/state"],
                                     environment: environment)
        defer { agent.signal(SIGKILL) }
        let port = try #require(await agent.apiPort())
        let logged = try #require(agent.pairingCode)

        func proctord(_ arguments: [String]) async throws -> (Int32?, String, [String]) {
            let command = try AgentProcess(arguments: arguments, environment: environment)
            let status = await command.waitForExit()
            return (status, command.events.map { JSONWriter.compact($0) }.joined(), command.log)
        }

        let (status, json, _) = try await proctord(["pairing-code", "--json"])
        #expect(status == 0)
        let answer = try JSONParser.parse(json)
        #expect(answer["code"]?.stringValue == logged, "the code the log shows is the code the command shows")
        #expect(answer["expires_at"]?.stringValue?.hasSuffix("Z") == true)
        let socket = dir.path + "/proctord/control.sock"
        let mode = try FileManager.default.attributesOfItem(atPath: socket)[.posixPermissions] as? Int
        #expect(mode == 0o600, "the control socket is the user's alone")

        let (client, identified) = try await Pairing.pair(port: port, code: logged, origin: Self.page, topics: [], clientName: "Acme")
        let session = try #require(identified["session"]?.stringValue)
        let (listed, listing, _) = try await proctord(["sessions", "list", "--json"])
        #expect(listed == 0)
        let sessions = try JSONParser.parse(listing)["sessions"]?.arrayValue ?? []
        #expect(sessions.map { $0["session"]?.stringValue } == [session] && sessions.first?["client"] == "Acme")
        let expires = try #require(sessions.first?["token_expires_at"]?.stringValue)
        let text = try await Shell.run(TestBuild.proctord, ["sessions", "list"], environment: environment)
        #expect(text.contains(session) && text.contains("expires \(expires)"), "the plain listing shows the expiry: \(text)")

        let (revoked, _, _) = try await proctord(["sessions", "revoke", session])
        #expect(revoked == 0)
        #expect(try await client.receiveClose().code == 4009, "the page is disconnected at once")
        let (again, _, errors) = try await proctord(["sessions", "revoke", "--all"])
        #expect(again == 1 && errors == ["no sessions to revoke"])

        let (usage, _, _) = try await proctord(["sessions", "revoke"])
        #expect(usage == 64, "naming neither a session nor --all is a usage error")
    }

    /// `proctord origins` against the running agent: a refused site is
    /// listed as asking, allowing it lets its page in (and into the person's
    /// file, 0600), removing it shuts it out again.
    @Test func theCommandLineAllowsARefusedSiteAndRemovesIt() async throws {
        let dir = TemporaryDirectory()
        var builder = ConfigBuilder()
        builder.api = ["port": 0]
        builder.add(id: "heartbeat", library: "heartbeat")
        let environment = ["XDG_RUNTIME_DIR": dir.path, "XDG_CONFIG_HOME": dir.path + "/config", "PROCTORD_SYSTEM_CONFIG_DIR": dir.path + "/etc"]
        let agent = try AgentProcess(arguments: ["run", "--config", builder.write(to: dir), "--state-dir", dir.path + "/state"],
                                     environment: environment)
        defer { agent.signal(SIGKILL) }
        let port = try #require(await agent.apiPort())
        func proctord(_ arguments: [String]) async throws -> (status: Int32?, output: String) {
            let command = try AgentProcess(arguments: arguments, environment: environment)
            let status = await command.waitForExit()
            return (status, command.events.map { JSONWriter.compact($0) }.joined() + command.log.joined(separator: "\n"))
        }
        let site = "https://platform.example.com"
        await #expect(throws: WebSocketTestClient.Refused.self) { try await WebSocketTestClient.connect(port: port, origin: site) }
        let (listed, listing) = try await proctord(["origins", "list", "--json"])
        #expect(listed == 0)
        #expect(try JSONParser.parse(listing)["asking"]?.arrayValue?.map { $0["origin"] } == [.string(site)], "\(listing)")

        let (allowed, _) = try await proctord(["origins", "allow", "HTTPS://Platform.Example.com/"])
        #expect(allowed == 0)
        _ = try await WebSocketTestClient.connect(port: port, origin: site)
        let file = dir.path + "/config/proctord/origins.json"
        #expect(try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int == 0o600)
        let (bad, why) = try await proctord(["origins", "allow", "platform.example.com"])
        #expect(bad == 1 && why.contains("has no scheme"), "\(why)")

        let (removed, _) = try await proctord(["origins", "remove", site])
        #expect(removed == 0)
        await #expect(throws: WebSocketTestClient.Refused.self) { try await WebSocketTestClient.connect(port: port, origin: site) }
        let (again, _) = try await proctord(["origins", "remove", site])
        #expect(again == 1, "removing what is not listed fails")
    }

    @Test func withoutARunningAgentTheCommandSaysSo() async throws {
        let dir = TemporaryDirectory()
        let command = try AgentProcess(arguments: ["pairing-code"], environment: ["XDG_RUNTIME_DIR": dir.path])
        #expect(await command.waitForExit() == 1)
        #expect(command.log.first?.contains("no running agent answers at \(dir.path)/proctord/control.sock") == true, "\(command.log)")
    }
}
