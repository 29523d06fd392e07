import ProctorHost
import ProctorJSON

/// Events written by hand for the integrity rules: each at a time in
/// seconds from the start, with gap-free seqs, as the bus would give them.
public struct ScriptedEvents {
    public static let origin: Int64 = 1_796_000_000_000  // 2026-11-30, ms
    public var events: [Event] = []
    public var nextSeq: UInt64

    public init(firstSeq: UInt64 = 100) { nextSeq = firstSeq }

    public static func time(_ seconds: Double) -> Timestamp {
        Timestamp(millisecondsSinceEpoch: origin + Int64((seconds * 1000).rounded()))
    }

    /// Adds an event at `seconds` and returns its seq.
    @discardableResult
    public mutating func at(_ seconds: Double, _ topic: String, _ data: JSONValue, plugin: String? = nil) -> UInt64 {
        let seq = nextSeq
        nextSeq += 1
        let source = plugin ?? (topic.hasPrefix("plugin.") || topic.hasPrefix("interview.") ? "host" : String(topic.prefix { $0 != "." }))
        events.append(Event(seq: seq, timestamp: Self.time(seconds), plugin: source, topic: topic, data: JSONWriter.compact(data)))
        return seq
    }
}

/// An honest candidate's interview, scripted: the call page full screen and
/// focused, one face in view at 15 frames a second, a blink every few
/// seconds, short glances away to think (never long, never the same way
/// many times), a heartbeat every second, every plugin running.
public enum HonestInterview {
    public static func events(minutes: Double, firstSeq: UInt64 = 100) -> ScriptedEvents {
        var script = ScriptedEvents(firstSeq: firstSeq)
        for plugin in ["heartbeat", "gaze", "screen", "desktop"] {
            script.at(0, "plugin.state", ["plugin": .string(plugin), "state": "running", "restarts": 0])
        }
        script.at(0, "screen.monitors", ["reason": "start", "count": 1, "monitors": [[
            "name": "eDP-1", "x": 0, "y": 0, "width": 1920, "height": 1080, "primary": true, "width_mm": 344, "height_mm": 194,
        ]]])
        script.at(0, "screen.fullscreen", ["window": "0x00a00003", "full_screen": true, "change": "found", "kind": "page"])
        script.at(0, "screen.share", ["active": true, "display_surface": "monitor", "full_screen_share": true, "change": "initial"])
        script.at(0, "desktop.focus", [
            "window": "0x00a00003", "app": ["class": "Chromium", "instance": "chromium", "pid": 4242, "process": "chromium"],
            "call_page": true, "left_call_page": false, "initial": true,
        ])
        let directions = ["up", "left", "up", "right", "down", "up", "left", "right"]
        let total = minutes * 60
        var frame = 0
        var nextGlance = 0
        var t = 0.0
        while t < total {
            let second = Int(t)
            let glancing = second % 40 >= 20 && second % 40 < 22  // 2 s away every 40 s
            if t.truncatingRemainder(dividingBy: 1) == 0 {
                script.at(t, "heartbeat.tick", ["n": .number(Double(second + 1)), "interval_ms": 1000, "monotonic_ms": .number(Double(second * 1000))])
                if second % 40 == 20 {
                    script.at(t, "gaze.away", ["state": "started", "direction": .string(directions[nextGlance % directions.count]),
                                               "t_ms": .number(t * 1000), "basis": "head_and_eyes"])
                }
                if second % 40 == 22 {
                    script.at(t, "gaze.away", ["state": "ended", "direction": .string(directions[nextGlance % directions.count]),
                                               "duration_ms": 2000, "t_ms": .number(t * 1000), "basis": "head_and_eyes"])
                    nextGlance += 1
                }
                if second % 4 == 3 { script.at(t, "gaze.blink", ["frame": .number(Double(frame)), "duration_ms": 150]) }
            }
            script.at(t, "gaze.sample", [
                "frame": .number(Double(frame)), "t_ms": .number(t * 1000), "faces": 1, "face": [200, 90, 240, 240],
                "blink": false, "screen": glancing ? .null : [960, 540], "confidence": 0.9,
            ])
            frame += 1
            t = Double(frame) / 15
        }
        return script
    }
}
