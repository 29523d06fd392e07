import Foundation
import ProctorHost
import ProctorJSON
import ProctorTestSupport
import Testing

extension SessionIntegrationTests {
    /// Notifications go through a real notification server
    /// (notification-daemon) on a private session bus; dbus-monitor shows
    /// what reached it.
    @Suite struct NotificationTests {
        @Test func aNoticeTheHostAsksForArrivesWithItsWords() async throws {
            let scenario = try await SessionScenario.start()
            // What the screen plugin publishes when it put the call page back to full screen.
            scenario.agent.bus.publish(plugin: "screen", topic: "screen.reactivated",
                                       data: ["attempt": 1, "result": "restored", "violation": "exited_fullscreen", "attempts_in_window": 1])
            let shown = try #require(await scenario.waitFor("session.notification") { $0["state"] == "shown" }?.data)
            #expect(shown["key"] == "screen.restored")
            #expect(await eventually(timeout: .seconds(10)) { !scenario.notifyCalls(containing: "Full screen was restored").isEmpty },
                    "\(scenario.monitor?.output.suffix(2000) ?? "")")
            let call = try #require(scenario.notifyCalls(containing: "Full screen was restored").first)
            #expect(call.contains("string \"proctord\""), "the agent's name: \(call)")
            #expect(call.contains("string \"security-high\""), "the agent's icon: \(call)")
            #expect(call.contains("please keep it full screen") || call.contains("Please keep it full screen"), "\(call)")
            #expect(try scenario.schemaProblems() == [])
            await scenario.stop()
        }

        @Test func repeatsAreShownOnceAndTheMinutesBudgetHolds() async throws {
            let scenario = try await SessionScenario.start(config: ["max_per_minute": 3, "duplicate_window_s": 600])
            let first = try await scenario.notify("Pairing code: 123 456", body: "A page asks to pair.", key: "pairing.1")
            #expect(first["outcome"] == "shown", "\(first)")
            let again = try await scenario.notify("Pairing code: 123 456", body: "A page asks to pair.", key: "pairing.1")
            #expect(again["outcome"] == "duplicate" && again["id"] == first["id"], "\(again)")
            // Without a key, the same title and text are the same notice.
            #expect(try await scenario.notify("Second", body: "text")["outcome"] == "shown")
            #expect(try await scenario.notify("Second", body: "text")["outcome"] == "duplicate")
            #expect(try await scenario.notify("Third", body: "text")["outcome"] == "shown")
            let limited = try await scenario.notify("Fourth", body: "text")
            #expect(limited["outcome"] == "rate_limited", "\(limited)")
            #expect((limited["retry_in_ms"]?.intValue ?? 0) > 0 && (limited["retry_in_ms"]?.intValue ?? 0) <= 60_000, "\(limited)")
            // Every answer came after the server answered: what the monitor sees is final.
            #expect(await eventually(timeout: .seconds(10)) { scenario.notifyCalls().count >= 3 })
            #expect(scenario.notifyCalls().count == 3, "\(scenario.notifyCalls())")
            #expect(scenario.notifyCalls(containing: "Pairing code: 123 456").count == 1)
            #expect(scenario.notifyCalls(containing: "Fourth").isEmpty)
            await scenario.stop()
        }

        @Test func aPageCanNeitherClaimTheAgentsKeysNorSpendItsBudget() async throws {
            let scenario = try await SessionScenario.start(config: ["max_per_minute": 2, "duplicate_window_s": 600])
            // A page's requests (no "caller": "agent", as the API forwards them): it takes the agent's key first, then its whole budget.
            #expect(try await scenario.notify("Looks official", body: "from a page", key: "screen.restored")["outcome"] == "shown")
            #expect(try await scenario.notify("Again", body: "from a page")["outcome"] == "shown")
            #expect(try await scenario.notify("Once more", body: "from a page")["outcome"] == "rate_limited")
            // The agent's own notice with that key is still shown, within its own budget.
            let answer = try #require(await scenario.agent.notices.showNow(
                DesktopNotice(title: "Full screen was restored", body: "The agent's words.", key: "screen.restored")))
            #expect(answer["result"]?["outcome"] == "shown", "\(answer)")
            #expect(await eventually(timeout: .seconds(10)) { !scenario.notifyCalls(containing: "The agent's words.").isEmpty })
            await scenario.stop()
        }

        @Test func actionsAreOfferedAndTheChoiceComesBack() async throws {
            // A server that can be clicked: the stand-in (see NotificationServerStandIn).
            let scenario = try await SessionScenario.start(clickable: true)
            let server = try #require(scenario.notificationStandIn)
            let status = try await scenario.request("status")
            let capabilities = status["result"]?["notification_capabilities"]?.arrayValue?.compactMap(\.stringValue) ?? []
            #expect(capabilities.contains("actions"), "the server offers actions: \(status)")
            let chosen = Chosen()
            let answer = try #require(await scenario.agent.notices.showNow(
                DesktopNotice(title: "A site asks to use proctord", body: "https://new.example wants to connect.", key: "origin.https://new.example",
                              actions: [.init(id: "allow", label: "Allow"), .init(id: "ignore", label: "Ignore")])) { chosen.set($0) })
            #expect(answer["result"]?["actions"] == true, "\(answer)")
            let id = try #require(answer["result"]?["id"]?.intValue)
            let call = try #require(await eventually(timeout: .seconds(10)) { !scenario.notifyCalls(containing: "new.example").isEmpty }
                                    ? scenario.notifyCalls(containing: "new.example").first : nil)
            #expect(call.contains("string \"allow\"") && call.contains("string \"Allow\"") && call.contains("string \"Ignore\""), "\(call)")
            // The plugin's "shown" event and its answer travel separately: count from after the event.
            #expect(await scenario.waitFor("session.notification") { $0["state"] == "shown" && $0["id"]?.intValue == id } != nil)
            let mark = scenario.lastSeq
            // Forgeries from another program (dbus-send): to everyone, and addressed to the plugin's own
            // connection, which no match rule filters. None of them counts.
            let plugin = try #require(scenario.monitor?.sender(of: "Notify"), "the plugin's unique name")
            for destination in [nil, plugin] {
                try scenario.bus.signal(path: "/org/freedesktop/Notifications", "org.freedesktop.Notifications.ActionInvoked",
                                        ["uint32:\(id)", "string:ignore"], destination: destination)
                try scenario.bus.signal(path: "/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver.ActiveChanged",
                                        ["boolean:true"], destination: destination)
            }
            // The server's own signal, sent after the forgeries, is the barrier: the bus keeps their order.
            server.invoke(id, action: "allow")
            let action = try #require(await scenario.waitFor("session.notification", after: mark) { $0["state"] == "action" }?.data)
            #expect(action["action"] == "allow" && action["key"] == "origin.https://new.example", "\(action)")
            #expect(await eventually(timeout: .seconds(10)) { chosen.value == "allow" })
            #expect(scenario.log.all.filter { $0.seq > mark && $0.topic == "session.lock" }.isEmpty, "a forged ActiveChanged locked the session")
            // Another program's notification's actions are not ours to report.
            server.invoke(id + 1000, action: "allow")
            server.close(id, reason: 2)
            let closed = try #require(await scenario.waitFor("session.notification", after: mark) { $0["state"] == "closed" }?.data)
            #expect(closed["reason"] == "dismissed")
            #expect(scenario.log.all.filter { $0.seq > mark && $0.topic == "session.notification" }.count == 2,
                    "\(scenario.log.all.filter { $0.seq > mark && $0.topic == "session.notification" })")
            #expect(try scenario.schemaProblems() == [])
            await scenario.stop()
        }

        @Test func aServerThatGoesAwayTakesItsIdsWithIt() async throws {
            let scenario = try await SessionScenario.start(clickable: true)
            let chosen = Chosen()
            let answer = try #require(await scenario.agent.notices.showNow(
                DesktopNotice(title: "A site asks to use proctord", body: "https://new.example wants to connect.", key: "origin.x",
                              actions: [.init(id: "allow", label: "Allow")])) { chosen.set($0) })
            let id = try #require(answer["result"]?["id"]?.intValue, "\(answer)")
            var mark = scenario.lastSeq
            // The server quits: what it showed is closed, for the plugin and for the agent's handler.
            scenario.notificationStandIn?.stop()
            let closed = try #require(await scenario.waitFor("session.notification", after: mark) { $0["state"] == "closed" }?.data)
            #expect(closed["id"]?.intValue == id && closed["reason"] == "undefined" && closed["key"] == "origin.x", "\(closed)")
            // A new server counts from 1 again: its notification `id` is another program's, and its click is not ours.
            let server = try await NotificationServerStandIn(bus: scenario.bus, directory: scenario.directory)
            scenario.notificationStandIn = server
            #expect(await scenario.seesServices())
            mark = scenario.lastSeq
            server.invoke(id, action: "allow")
            scenario.screensaver?.setActive(true)  // the barrier: sent after the click, so it comes after it
            #expect(await scenario.waitFor("session.lock", after: mark) { $0["locked"] == true } != nil)
            #expect(scenario.log.all.filter { $0.seq > mark && $0.topic == "session.notification" }.isEmpty)
            #expect(chosen.value == nil)
            #expect(try scenario.schemaProblems() == [])
            await scenario.stop()
        }
    }
}

/// What a notice's action handler was given.
final class Chosen: @unchecked Sendable {
    private let lock = NSLock()
    private var chosen: String?
    var value: String? { lock.withLock { chosen } }
    func set(_ value: String) { lock.withLock { chosen = value } }
}
