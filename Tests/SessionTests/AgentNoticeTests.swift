import Foundation
import ProctorAPI
import ProctorHost
import ProctorJSON
import ProctorTestSupport
import Testing

extension SessionIntegrationTests {
    /// The agent's own notices through its local API: a real agent and API
    /// on a free port, the session plugin on a private bus with
    /// a notification server stand-in that can be "clicked" (see
    /// NotificationServerStandIn) and a screensaver stand-in, and dbus-monitor
    /// as the witness.
    @Suite struct AgentNoticeTests {
        @Test func aPageWaitingToPairGetsTheCodeAndASiteAskingGetsAllowAndIgnore() async throws {
            let directory = TemporaryDirectory("proctord-session-api")
            let bus = try DBusSessionBus(directory: directory)
            let monitor = try await BusMonitor(bus: bus, interface: "org.freedesktop.Notifications", directory: directory)
            let server = try await NotificationServerStandIn(bus: bus, directory: directory)
            let screensaver = try await ScreensaverStandIn(bus: bus, directory: directory)
            let api = try await APIHarness(allowedOrigins: ["https://meet.example", "https://other.example"]) { builder in
                builder.add(id: "session", library: "session",
                            config: ["session_bus": .string(bus.address), "system_bus": "none", "reconnect_max_ms": 500])
            }
            let log = EventLog(bus: api.agent.bus)
            func notifies(_ text: String) -> [String] { monitor.calls("Notify").filter { $0.contains(text) } }
            // The plugin has seen the server (its capabilities) before any page comes.
            let supervisor = try #require(await api.agent.supervisor("session"))
            #expect(await eventually(timeout: .seconds(15)) {
                let status = try? JSONParser.parse(await supervisor.request(#"{"method":"status"}"#))
                return status?["result"]?["notification_capabilities"]?.arrayValue?.isEmpty == false
            })

            // A page that waits (it asks its person for the code) gets the code on the desktop, with its origin.
            let code = api.pairingCode
            let (waiting, _) = try await api.connect(origin: "https://meet.example")
            #expect(await eventually(timeout: .seconds(10)) { !notifies("Pairing code: \(code.prefix(3)) \(code.dropFirst(3))").isEmpty },
                    "\(monitor.output.suffix(2000))")
            #expect(notifies("https://meet.example asks to pair").count == 1)
            try? await waiting.sendClose()

            // A page with a token identifies at once: no code for it. (Pairing replaced the code.)
            let (paired, identified) = try await api.paired(origin: "https://meet.example")
            try? await paired.sendClose()
            let token = try #require(identified["token"]?.stringValue)
            let (again, _) = try await api.connect(origin: "https://meet.example")
            try await again.send(APIHarness.identify(auth: ["token": .string(token)], topics: []))
            #expect(try await again.receiveText().contains("\"identified\""))
            // A page of another origin that waits after it: its notice comes 750 ms after its own hello, later than the token page's would.
            let (other, _) = try await api.connect(origin: "https://other.example")
            #expect(await eventually(timeout: .seconds(10)) { !notifies("https://other.example asks to pair").isEmpty })
            #expect(notifies("https://meet.example asks to pair").count == 1, "\(monitor.calls("Notify"))")
            try? await other.sendClose()
            try? await again.sendClose()

            // A site on no list asks: refused, and the person is asked on the desktop with Allow and Ignore.
            await #expect(throws: (any Error).self) { _ = try await api.connect(origin: "https://new.example") }
            #expect(await eventually(timeout: .seconds(10)) { !notifies("https://new.example wants to connect").isEmpty })
            let shown = try #require(await log.waitFor { event in
                event.topic == "session.notification" && event.data.contains("\"origin.") && event.data.contains("\"shown\"")
            })
            // Every paired page sees the event: its key names no site.
            #expect(!shown.data.contains("new.example"), "\(shown.data)")
            #expect(log.all.filter { $0.topic == "session.notification" && $0.data.contains("example") }.isEmpty, "\(log.all.filter { $0.topic == "session.notification" })")
            let id = try #require(try JSONParser.parse(shown.data)["id"]?.intValue)
            let ask = try #require(notifies("https://new.example wants to connect").first)
            #expect(ask.contains("string \"allow\"") && ask.contains("string \"Allow\"") && ask.contains("string \"Ignore\""), "\(ask)")
            // Another program forges the server's click on Allow (dbus-send), to everyone and to the plugin's own
            // connection: the site stays unknown. The screensaver's own signal after them is the barrier.
            let mark = api.agent.bus.nextSeq - 1
            let plugin = try #require(monitor.sender(of: "Notify"), "the plugin's unique name")
            for destination in [nil, plugin] {
                try bus.signal(path: "/org/freedesktop/Notifications", "org.freedesktop.Notifications.ActionInvoked",
                               ["uint32:\(id)", "string:allow"], destination: destination)
            }
            screensaver.setActive(true)
            #expect(await log.waitFor("session.lock", after: mark) { $0["locked"] == true } != nil)
            #expect(log.all.filter { $0.seq > mark && $0.topic == "session.notification" }.isEmpty)
            #expect(api.server.services.checks.consent?.isAllowed("https://new.example") != true)
            // The server's own signal for a click on Allow.
            server.invoke(id, action: "allow")
            #expect(await eventually(timeout: .seconds(10)) { api.server.services.checks.consent?.isAllowed("https://new.example") == true })
            let (allowed, hello) = try await api.connect(origin: "https://new.example")
            #expect(hello["op"] == "hello")
            try? await allowed.sendClose()

            // An origin locked out of pairing (five wrong codes) is not shown the code when it waits again.
            let wrong = code == "000000" ? "111111" : "000000"
            for _ in 0..<5 {
                let (client, hello) = try await api.connect(origin: "https://other.example")
                let proof = PairingProof.make(code: wrong, challenge: hello["d"]!["challenge"]!.stringValue!, origin: "https://other.example")
                try await client.send(APIHarness.identify(auth: ["pairing": .string(proof)], topics: []))
                _ = try? await client.receive()
            }
            // Pairing meet.example replaces the code, so a notice for other.example now would be a new one, not a repeat.
            let (repaired, _) = try await api.paired(origin: "https://meet.example")
            try? await repaired.sendClose()
            let newCode = api.pairingCode
            let (locked, _) = try await api.connect(origin: "https://other.example")
            // The barrier: meet.example waits after other.example, so its notice comes after other.example's would.
            let (waitingAgain, _) = try await api.connect(origin: "https://meet.example")
            #expect(await eventually(timeout: .seconds(10)) { !notifies("Pairing code: \(newCode.prefix(3)) \(newCode.dropFirst(3))").isEmpty })
            #expect(notifies("https://other.example asks to pair").count == 1, "\(monitor.calls("Notify"))")
            try? await locked.sendClose()
            try? await waitingAgain.sendClose()

            await api.stop()
            server.stop()
            screensaver.stop()
            monitor.stop()
            bus.stop()
        }
    }
}
