#if canImport(Glibc)
import Glibc
#endif
import Foundation
import ProctorJSON
import ProctorTestSupport
import Testing

extension SessionIntegrationTests {
    /// No logind runs on these machines: there is no systemd as PID 1 and no
    /// system bus, and a real logind could not be made to lock a session or
    /// prepare for sleep without root. So the plugin's `system_bus` is a
    /// second private dbus-daemon with a stand-in that owns
    /// org.freedesktop.login1 and speaks logind's interfaces (LogindStandIn).
    @Suite struct LogindTests {
        @Test func logindsSessionSleepLockAndIdleReachTheirTopics() async throws {
            let scenario = try await SessionScenario.start(logind: true)
            let logind = try #require(scenario.logind)
            let status = try #require(try await scenario.request("status")["result"])
            #expect(status["login_session"] == .string(LogindStandIn.sessionPath), "\(status)")
            #expect(status["system_bus"]?["connected"] == true && status["system_bus"]?["services"]?[LogindStandIn.name] == true, "\(status)")
            // Not in a session itself (the stand-in says so for every PID), the plugin found the user's display session.
            #expect(logind.log.contains("GetSessionByPID ") && logind.log.contains("GetUser \(getuid())")
                && logind.log.contains("Get org.freedesktop.login1.User Display"), "\(logind.log)")
            // The session's hints were read when it was found: not locked, not idle.
            let firstLock = try #require(await scenario.waitFor("session.lock") { $0["source"] == "logind" }?.data, "\(logind.log)")
            #expect(firstLock["locked"] == false && firstLock["initial"] == true, "\(firstLock)")
            let firstIdle = try #require(await scenario.waitFor("session.idle")?.data)
            #expect(firstIdle["idle"] == false && firstIdle["initial"] == true && firstIdle["since"] == .null, "\(firstIdle)")

            var mark = scenario.lastSeq
            logind.prepareForSleep(true)
            #expect(await scenario.waitFor("session.sleep", after: mark) { $0["sleeping"] == true } != nil, "\(logind.log)")
            mark = scenario.lastSeq
            logind.prepareForSleep(false)
            #expect(await scenario.waitFor("session.sleep", after: mark) { $0["sleeping"] == false } != nil, "\(logind.log)")

            mark = scenario.lastSeq
            logind.lockSignal(true)
            let locked = try #require(await scenario.waitFor("session.lock", after: mark) { $0["locked"] == true }?.data, "\(logind.log)")
            #expect(locked["source"] == "logind" && locked["service"] == "org.freedesktop.login1" && locked["initial"] == false, "\(locked)")
            #expect(try await scenario.request("status")["result"]?["locked"] == true)
            mark = scenario.lastSeq
            logind.lockSignal(false)
            let unlocked = try #require(await scenario.waitFor("session.lock", after: mark) { $0["locked"] == false }?.data, "\(logind.log)")
            #expect(unlocked["source"] == "logind" && unlocked["initial"] == false, "\(unlocked)")

            mark = scenario.lastSeq
            logind.setIdle(true, sinceMicroseconds: 1_700_000_000_123_000)
            let idle = try #require(await scenario.waitFor("session.idle", after: mark) { $0["idle"] == true }?.data, "\(logind.log)")
            #expect(idle["since"] == "2023-11-14T22:13:20.123Z" && idle["initial"] == false, "\(idle)")
            #expect(try await scenario.request("status")["result"]?["idle"] == true)
            mark = scenario.lastSeq
            logind.setIdle(false, sinceMicroseconds: 0)
            let active = try #require(await scenario.waitFor("session.idle", after: mark) { $0["idle"] == false }?.data, "\(logind.log)")
            #expect(active["since"] == .null, "\(active)")

            // A malformed PropertiesChanged (a{iv}) is ignored, not read: the plugin keeps running, and
            // the next well-formed change still comes through.
            let pid = await scenario.agent.supervisor("session")?.pid
            mark = scenario.lastSeq
            logind.sendMalformedProperties()
            logind.setIdle(true, sinceMicroseconds: 0)
            #expect(await scenario.waitFor("session.idle", after: mark) { $0["idle"] == true } != nil, "\(logind.log)")
            #expect(await scenario.agent.supervisor("session")?.pid == pid, "\(scenario.log.states(of: "session"))")
            #expect(scenario.log.all.filter { $0.seq > mark && $0.topic == "plugin.state" }.isEmpty, "\(scenario.log.states(of: "session"))")

            #expect(try scenario.schemaProblems() == [])
            await scenario.stop()
        }
    }
}
