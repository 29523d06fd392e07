import ProctorHost
import ProctorJSON
import Testing

@Suite struct EventBusTests {
    @Test func givesGapFreeSeqsAndTheProtocolShape() throws {
        let bus = EventBus()
        let first = bus.publish(plugin: "heartbeat", topic: "heartbeat.tick", data: #"{"n":1}"#)
        let second = bus.publish(topic: "plugin.state", data: ["plugin": "x", "state": "running"])
        #expect(first.seq == 1 && second.seq == 2 && bus.nextSeq == 3)
        let json = try JSONParser.parse(first.json)
        #expect(json.objectValue?.keys == ["topic", "seq", "ts", "plugin", "data"])
        #expect(json["data"] == ["n": 1] && json["plugin"] == "heartbeat")
        let ts = try #require(json["ts"]?.stringValue)
        #expect(ts.count == 24 && ts.hasSuffix("Z") && ts.contains("."), "RFC 3339 with milliseconds: \(ts)")
    }

    @Test func deliversOnlyMatchingTopicsInOrder() async {
        let bus = EventBus()
        let subscription = bus.subscribe(name: "t", patterns: [TopicPattern("gaze.*")!, TopicPattern("alert")!])
        for topic in ["gaze.sample", "heartbeat.tick", "alert", "gaze.away.started", "alerts"] {
            bus.publish(plugin: "p", topic: topic, data: "{}")
        }
        let batch = await subscription.nextBatch(maximum: 10)
        #expect(batch.map(\.topic) == ["gaze.sample", "alert", "gaze.away.started"])
        #expect(batch.map(\.seq) == [1, 3, 4])
    }

    @Test func changingTopicsTakesEffectForTheNextEventEvenOfTheSameTopic() async {
        let bus = EventBus()
        let subscription = bus.subscribe(name: "t", patterns: [TopicPattern("gaze.*")!])
        bus.publish(plugin: "p", topic: "gaze.sample", data: "{}")   // 1: wanted
        subscription.update(patterns: [TopicPattern("face.count")!])
        bus.publish(plugin: "p", topic: "gaze.sample", data: "{}")   // 2: no longer
        bus.publish(plugin: "p", topic: "face.count", data: "{}")    // 3
        subscription.update(patterns: [.all])
        bus.publish(plugin: "p", topic: "face.count", data: "{}")    // 4
        #expect(await subscription.nextBatch(maximum: 10).map(\.seq) == [1, 3, 4])
    }

    @Test func wakesAWaitingSubscriber() async {
        let bus = EventBus()
        let subscription = bus.subscribe(name: "t", patterns: [.all])
        async let next = subscription.next()
        try? await Task.sleep(for: .milliseconds(20))
        bus.publish(plugin: "p", topic: "a.b", data: "{}")
        #expect(await next?.topic == "a.b")
    }

    @Test func aFullQueueDropsThinnableEventsFirstAndCountsThem() async {
        let bus = EventBus()
        let subscription = bus.subscribe(name: "slow", patterns: [.all], capacity: 4, thinnable: ["gaze.sample"])
        bus.publish(plugin: "p", topic: "alert", data: "{}")          // 1
        for _ in 0..<5 { bus.publish(plugin: "p", topic: "gaze.sample", data: "{}") }  // 2...6
        bus.publish(plugin: "p", topic: "plugin.state", data: "{}")   // 7
        let batch = await subscription.nextBatch(maximum: 10)
        #expect(batch.map(\.seq) == [1, 5, 6, 7])
        #expect(subscription.droppedCount == 3)
        #expect(!subscription.overflowed)
        #expect(bus.takeDropCounts().map(\.dropped) == [3])
        #expect(bus.takeDropCounts().isEmpty, "a drop is reported once")
    }

    @Test func losingAnEssentialEventMarksTheSubscriptionOverflowed() async {
        let bus = EventBus()
        let subscription = bus.subscribe(name: "slow", patterns: [.all], capacity: 2, thinnable: ["gaze.sample"])
        for _ in 0..<3 { bus.publish(plugin: "p", topic: "alert", data: "{}") }
        #expect(subscription.overflowed)
        #expect(await subscription.nextBatch(maximum: 10).map(\.seq) == [2, 3])
    }

    @Test func replayAndSubscriptionMeetWithoutGapOrRepeat() async {
        let bus = EventBus()
        for i in 1...10 { bus.publish(plugin: "p", topic: "t.x", data: #"{"i":\#(i)}"#) }
        let (replay, subscription, nextSeq) = bus.resume(name: "r", patterns: [.all], after: 6)
        #expect(nextSeq == 11)
        bus.publish(plugin: "p", topic: "t.x", data: "{}")
        guard case .events(let replayed) = replay else {
            Issue.record("expected events")
            return
        }
        let live = await subscription.nextBatch(maximum: 10)
        #expect((replayed + live).map(\.seq) == [7, 8, 9, 10, 11])
    }

    @Test func replayReportsWhenTheRingNoLongerHoldsTheStart() {
        var limits = EventBus.Limits()
        limits.replayCount = 5
        let bus = EventBus(limits: limits)
        for _ in 1...20 { bus.publish(plugin: "p", topic: "t.x", data: "{}") }
        guard case .tooOld(let requested, let oldest, let kept) = bus.replay(after: 3) else {
            Issue.record("expected tooOld")
            return
        }
        #expect(requested == 3 && oldest == 16)
        #expect(kept.map(\.seq) == [16, 17, 18, 19, 20])
        guard case .events(let events) = bus.replay(after: 15) else {
            Issue.record("expected events")
            return
        }
        #expect(events.map(\.seq) == [16, 17, 18, 19, 20])
    }

    @Test func theRingIsBoundedByBytesToo() {
        var limits = EventBus.Limits()
        limits.replayBytes = 10_000
        let bus = EventBus(limits: limits)
        let big = "{\"pad\":\"" + String(repeating: "x", count: 1000) + "\"}"
        for _ in 0..<100 { bus.publish(plugin: "p", topic: "t.x", data: big) }
        guard case .events(let kept) = bus.replay(after: 90) else { return }
        #expect(kept.count <= 10)
        #expect(kept.last?.seq == 100)
    }

    @Test func cancellingEndsAWaitingConsumer() async {
        let bus = EventBus()
        let subscription = bus.subscribe(name: "c", patterns: [.all])
        let waiting = Task { await subscription.next() }
        try? await Task.sleep(for: .milliseconds(20))
        waiting.cancel()
        #expect(await waiting.value == nil)
        bus.publish(plugin: "p", topic: "t.x", data: "{}")
        #expect(subscription.pendingCount == 0, "a cancelled subscription receives nothing")
    }
}

@Suite struct TopicTests {
    @Test(arguments: ["gaze.sample", "a", "plugin.state", "x_1.y2.z"])
    func validTopics(topic: String) { #expect(Topic.isValid(topic)) }

    @Test(arguments: ["", ".a", "a.", "a..b", "A.b", "a-b", "a b", "é", String(repeating: "a", count: 65)])
    func invalidTopics(topic: String) { #expect(!Topic.isValid(topic)) }

    @Test func patterns() {
        #expect(TopicPattern("*")!.matches("anything.here"))
        #expect(TopicPattern("gaze.*")!.matches("gaze.away.started"))
        #expect(!TopicPattern("gaze.*")!.matches("gaze"))
        #expect(!TopicPattern("gaze.*")!.matches("gazer.x"))
        #expect(TopicPattern("alert")!.matches("alert") && !TopicPattern("alert")!.matches("alerts"))
        #expect(TopicPattern("gaze*") == nil && TopicPattern("*.x") == nil && TopicPattern("") == nil)
    }
}

/// What the agent and each client connection wait on instead of looking
/// every so often.
@Suite struct EventBusWaitTests {
    @Test func aDropWakesTheDropReportAndIsCountedOnce() async {
        let bus = EventBus()
        let slow = bus.subscribe(name: "slow", patterns: [.all], capacity: 1)
        let waiting = Task { await bus.waitForDrops() }
        for _ in 0..<3 { bus.publish(plugin: "p", topic: "t.x", data: "{}") }
        await waiting.value
        #expect(bus.takeDropCounts().map(\.dropped) == [2])
        #expect(bus.takeDropCounts().isEmpty)
        slow.cancel()
    }

    @Test func anOverflowEndsTheWatchAndACancelEndsItToo() async {
        let bus = EventBus()
        let slow = bus.subscribe(name: "slow", patterns: [.all], capacity: 1, thinnable: ["t.thin"])
        let watch = Task { await slow.waitForOverflow() }
        bus.publish(plugin: "p", topic: "t.thin", data: "{}")
        bus.publish(plugin: "p", topic: "t.thin", data: "{}")  // a thinnable loss is no overflow
        bus.publish(plugin: "p", topic: "t.state", data: "{}")
        bus.publish(plugin: "p", topic: "t.state", data: "{}")
        #expect(await watch.value)
        let keeping = bus.subscribe(name: "keeping", patterns: [.all])
        let quiet = Task { await keeping.waitForOverflow() }
        keeping.cancel()
        #expect(await quiet.value == false)
        let cancelled = Task { await bus.subscribe(name: "other", patterns: [.all]).waitForOverflow() }
        cancelled.cancel()
        #expect(await cancelled.value == false)
        slow.cancel()
    }

    /// A restarted agent that continues an interview takes up its numbering:
    /// the same agent_session, seqs from the given one on; a resume from
    /// before them finds nothing in the ring and is told how far back it is.
    @Test func aContinuedNumberingStartsWhereItIsToldAndKnowsWhatItLacks() {
        let first = EventBus(), second = EventBus()
        #expect(first.agentSession != second.agentSession && first.agentSession.count == 16)
        second.continueNumbering(agentSession: first.agentSession, at: 5000)
        #expect(second.agentSession == first.agentSession && second.nextSeq == 5000)
        guard case .tooOld(let requested, let oldest, let events) = second.replay(after: 1200) else {
            Issue.record("an empty ring after a continued numbering holds nothing before it")
            return
        }
        #expect(requested == 1200 && oldest == 5000 && events.isEmpty)
        #expect(second.publish(plugin: "test", topic: "test.tick", data: "{}").seq == 5000)
        guard case .events(let after) = second.replay(after: 4999) else { return }
        #expect(after.map(\.seq) == [5000])
    }
}
