import Foundation
import ProctorJSON

/// Watches, inside the interviewer's page, what the `proctor` data channel
/// delivers and when the dashboard draws it, without changing the page: it
/// wraps the channel's `message` listeners (installed before the call starts,
/// so the page's own listener is wrapped) and observes `#dashboard`'s DOM.
///
/// For each `agent-event`: its seq, topic, the agent's `ts` (wall clock, ms),
/// when the page received it and when the dashboard next changed after that
/// (its renders are batched every 50 ms), both on the page's wall clock
/// (performance.timeOrigin + performance.now(): the same machine's clock as
/// the agent's `ts`).
public struct DashboardProbe: Sendable {
    public let page: CallPage

    public init(page: CallPage) { self.page = page }

    /// Installs the probe; call it before the page opens its peer connection.
    public func install() async throws {
        _ = try await page.session.evaluate(#"""
            (() => {
              const probe = window.__probe = { events: [], thinned: 0, other: 0, unshown: [] };
              const now = () => performance.timeOrigin + performance.now();
              const add = RTCDataChannel.prototype.addEventListener;
              RTCDataChannel.prototype.addEventListener = function (type, listener, options) {
                if (type !== "message" || this.label !== "proctor") return add.call(this, type, listener, options);
                return add.call(this, type, (event) => {
                  let message = null;
                  try { message = JSON.parse(event.data); } catch {}
                  if (message?.type === "agent-event") {
                    const e = message.event;
                    const record = { seq: e.seq, topic: e.topic, ts: Date.parse(e.ts), received: now(), shown: null };
                    probe.events.push(record);
                    probe.unshown.push(record);
                  } else if (message?.type === "agent-dropped") {
                    probe.thinned += message.dropped?.count ?? 0;
                  } else {
                    probe.other += 1;
                  }
                  listener.call(this, event);
                }, options);
              };
              // A mutation after an event's arrival is the render that drew it.
              new MutationObserver(() => {
                const at = now();
                for (const record of probe.unshown.splice(0)) record.shown = at;
              }).observe(document.getElementById("dashboard"), { subtree: true, childList: true, attributes: true, characterData: true });
              return true;
            })()
            """#)
    }

    /// The number of agent events the dashboard's page received so far.
    public func count() async throws -> Int {
        try await page.session.evaluate("window.__probe.events.length").intValue ?? 0
    }

    /// Page clock now (ms since the epoch).
    public func now() async throws -> Double {
        try await page.session.evaluate("performance.timeOrigin + performance.now()").doubleValue ?? 0
    }

    public struct Received: Sendable {
        public let seq: Int
        public let topic: String
        public let ts: Double
        public let received: Double
        public let shown: Double?
    }

    /// Everything received, in order, and the events the agent said it thinned.
    public func received() async throws -> (events: [Received], thinned: Int) {
        let text = try await page.session.evaluate("JSON.stringify({events: window.__probe.events, thinned: window.__probe.thinned})").stringValue ?? "{}"
        let json = try JSONParser.parse(text)
        let events = (json["events"]?.arrayValue ?? []).compactMap { e -> Received? in
            guard let seq = e["seq"]?.intValue, let ts = e["ts"]?.doubleValue, let received = e["received"]?.doubleValue else { return nil }
            return Received(seq: seq, topic: e["topic"]?.stringValue ?? "", ts: ts, received: received, shown: e["shown"]?.doubleValue)
        }
        return (events, json["thinned"]?.intValue ?? 0)
    }
}
