import ProctorHost
import ProctorJSON
import ProctorTestSupport
import Testing
@testable import Session

/// The notification limits on their own: no bus needed.
@Suite struct NotificationGateTests {
    @Test func aRepeatWithinTheWindowIsADuplicateAndAfterItIsNot() {
        var gate = NotificationGate(maxPerMinute: 10, duplicateWindowSeconds: 30)
        #expect(gate.judge(key: "a", now: 100) == .show)
        gate.record(key: "a", id: 7, now: 100)
        #expect(gate.judge(key: "a", now: 129.9) == .duplicate(id: 7))
        #expect(gate.judge(key: "b", now: 110) == .show)
        #expect(gate.judge(key: "a", now: 130) == .show)
    }

    @Test func theMinutesBudgetRefusesAndSaysWhenToRetry() {
        var gate = NotificationGate(maxPerMinute: 2, duplicateWindowSeconds: 0)
        gate.record(key: "a", id: 1, now: 0)
        gate.record(key: "b", id: 2, now: 10)
        #expect(gate.judge(key: "c", now: 20) == .rateLimited(retryInMilliseconds: 40_000))
        // A zero window keeps no duplicates.
        #expect(gate.judge(key: "a", now: 59) == .rateLimited(retryInMilliseconds: 1000))
        #expect(gate.judge(key: "c", now: 60) == .show)
    }

    @Test func badParamsAreNamed() throws {
        #expect(throws: (any Error).self) { _ = try NotificationRequest(["body": "x"]) }
        do {
            _ = try NotificationRequest(["title": "x", "actions": [["id": "default", "label": "Go"]]])
            Issue.record("the server's own action id was accepted")
        } catch {
            #expect(error.message.contains("actions[0].id"))
        }
        do {
            _ = try NotificationRequest(["title": "x", "when": 1])
            Issue.record("an unknown param was accepted")
        } catch {
            #expect(error.message.contains("unknown param \"when\""))
        }
        let request = try NotificationRequest(["title": "T", "body": "B", "urgency": "critical"])
        #expect(request.urgency == 2 && request.identity == "T\nB")
        #expect(NotificationRequest.escapedMarkup("<b>a & b</b>") == "&lt;b&gt;a &amp; b&lt;/b&gt;")
    }
}

/// The session plugin's topics are the documented ones.
@Suite struct SessionTopicTests {
    @Test func everySessionTopicIsDocumented() throws {
        let schemas = try TopicSchemas.load()
        let manifest = try PluginLibrary.open(path: TestBuild.plugin("session")).manifest
        #expect(manifest.topics.sorted() == ["session.idle", "session.lock", "session.notification", "session.sleep"])
        for topic in manifest.topics {
            #expect(schemas.schemas[topic] != nil, "session declares \(topic), which docs/topics.json does not define")
        }
    }
}
