import ProctorJSON
import X11Support

/// Turns what the watcher sees of the call page's window into
/// `screen.fullscreen` and `screen.covered` events: when it was found, left
/// and entered full screen (how, by whom, after how long, which kind), was
/// covered and uncovered, and was lost.
struct FullscreenReport {
    let tolerance: Int
    let coverThreshold: Double

    private struct Tracked {
        var window: WindowID
        /// nil while not full screen.
        var kind: FullscreenKind?
        var fullscreen: Bool { kind != nil }
        var since: Double
        var covered: Bool
        var coveredSince: Double
    }

    private var tracked: Tracked?

    init(tolerance: Int, coverThreshold: Double) {
        self.tolerance = tolerance
        self.coverThreshold = coverThreshold
    }

    var window: WindowID? { tracked?.window }
    var isFullscreen: Bool { tracked?.fullscreen ?? false }
    var kind: FullscreenKind? { tracked?.kind }

    /// `byAgent`: a re-assertion is pending, so a return to full screen is the agent's doing.
    /// `coveredBy`: who covers the window, one JSON object per window.
    /// `pageFullScreen`: the page says it holds the browser's own full screen.
    mutating func observe(_ window: WindowID, _ posture: WindowPosture, byAgent: Bool, coveredBy: [JSONValue],
                          pageFullScreen: Bool, now: Double) -> [OutgoingEvent] {
        let fullscreen = posture.isFullscreen(tolerance: tolerance)
        let kind: FullscreenKind? = fullscreen ? (pageFullScreen ? .page : .window) : nil
        let covered = posture.isCovered(threshold: coverThreshold)
        let id = JSONValue.string(window.description)
        var events: [OutgoingEvent] = []
        guard var current = tracked, current.window == window else {
            var data: JSONObject = ["window": id, "full_screen": .bool(fullscreen), "change": "found", "kind": kind.json]
            if let violation = posture.violation(tolerance: tolerance, coverThreshold: 1), !fullscreen {
                data["reason"] = .string(violation.rawValue)
            }
            events.append(OutgoingEvent("screen.fullscreen", .object(data)))
            if covered { events.append(coveredEvent(id, posture, coveredBy)) }
            tracked = Tracked(window: window, kind: kind, since: now, covered: covered, coveredSince: now)
            return events
        }
        if fullscreen != current.fullscreen {
            var data: JSONObject = ["window": id, "full_screen": .bool(fullscreen), "kind": kind.json]
            if fullscreen {
                data["change"] = "entered"
                data["by"] = byAgent ? "agent" : "user"
                data["away_ms"] = (now - current.since).milliseconds
            } else {
                data["change"] = "left"
                data["reason"] = .string((posture.violation(tolerance: tolerance, coverThreshold: 1) ?? .exitedFullscreen).rawValue)
                data["held_ms"] = (now - current.since).milliseconds
            }
            events.append(OutgoingEvent("screen.fullscreen", .object(data)))
            current.since = now
        } else if kind != current.kind {
            // Still full screen, but the page took or gave up the browser's own full screen.
            events.append(OutgoingEvent("screen.fullscreen", [
                "window": id, "full_screen": true, "kind": kind.json, "change": "kind_changed",
                "held_ms": (now - current.since).milliseconds,
            ]))
        }
        current.kind = kind
        if covered != current.covered {
            events.append(covered
                ? coveredEvent(id, posture, coveredBy)
                : OutgoingEvent("screen.covered", ["window": id, "covered": false, "covered_ms": (now - current.coveredSince).milliseconds]))
            current.covered = covered
            current.coveredSince = now
        }
        tracked = current
        return events
    }

    /// The window is gone: closed, no longer marked, or the display went away.
    mutating func lost(reason: String, now: Double) -> [OutgoingEvent] {
        guard let current = tracked else { return [] }
        tracked = nil
        var data: JSONObject = ["window": .string(current.window.description), "full_screen": false, "change": "lost",
                                "reason": .string(reason), "kind": .null]
        if current.fullscreen { data["held_ms"] = (now - current.since).milliseconds }
        return [OutgoingEvent("screen.fullscreen", .object(data))]
    }

    private func coveredEvent(_ id: JSONValue, _ posture: WindowPosture, _ by: [JSONValue]) -> OutgoingEvent {
        OutgoingEvent("screen.covered", [
            "window": id, "covered": true, "fraction": .number((posture.coveredFraction * 1000).rounded() / 1000), "by": .array(by),
        ])
    }
}

extension Optional where Wrapped == FullscreenKind {
    var json: JSONValue { map { .string($0.rawValue) } ?? .null }
}
