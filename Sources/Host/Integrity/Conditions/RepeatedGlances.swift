import ProctorJSON

/// Glances to the same off-screen region, `count` of them within `window_s`
/// (notes on the desk, a second screen). The region is the `gaze.away`
/// direction; once calibrated, the off-screen gaze points of the glance
/// split it further into corners (down-left).
struct RepeatedGlances: Condition {
    static let kind = "repeated_glances"
    static let summary = "count gaze.away starts toward one region within window_s"
    static let parameters = [
        ConditionParameter(name: "count", schema: ["type": "integer", "minimum": 2, "maximum": 1000, "default": 6,
                                                   "description": "Glances to one region that make an alert."], stricter: .lower),
        ConditionParameter(name: "window_s", schema: ["type": "number", "minimum": 1, "maximum": 3600, "default": 120,
                                                      "description": "Seconds the glances fall within."], stricter: .higher),
        ConditionParameter(name: "directions", schema: [
            "type": "array", "items": ["enum": ["left", "right", "up", "down"]], "default": ["left", "right", "down"],
            "description": "Directions counted; up is left out by default: people look up to think.",
        ], stricter: .superset),
    ]

    let topics = ["gaze.away", "gaze.sample", "screen.monitors"]
    var stateTopics: [String] { ["screen.monitors"] }
    private let count: Int
    private let window: Int64
    private let directions: Set<String>
    /// Per region, the glances still inside the window: when and which event.
    private var glances: [String: [(time: Timestamp, seq: UInt64)]] = [:]
    /// The regions with an open alert, and what it last said.
    private var raised: [String: String] = [:]
    /// The glance under way: its start and the calibrated points seen during it.
    private struct Glance {
        let seq: UInt64
        let direction: String
        let time: Timestamp
        var points: [(Double, Double)] = []
    }
    private var current: Glance?
    private var screen = OffScreenRegions()

    init(rule: GuidelineRule) {
        count = Int(rule.number("count"))
        window = rule.milliseconds("window_s")
        directions = Set(rule.strings("directions"))
    }

    mutating func observe(_ event: Observed) -> [Finding] {
        var out = advance(to: event.time)
        switch event.topic {
        case "screen.monitors": screen.update(event.data)
        case "gaze.sample":
            if let point = event.data["screen"]?.arrayValue, point.count == 2, current != nil,
                let x = point[0].doubleValue, let y = point[1].doubleValue
            {
                current?.points.append((x, y))
            }
        default:
            switch event.data["state"]?.stringValue {
            case "started":
                if let glance = current { out += record(glance) }
                let direction = event.data["direction"]?.stringValue ?? ""
                current = directions.contains(direction) ? Glance(seq: event.seq, direction: direction, time: event.time) : nil
                // Uncalibrated glances have no points: count them at once.
                if event.data["basis"]?.stringValue != "calibrated", let glance = current {
                    current = nil
                    out += record(glance)
                }
            case "ended":
                if let glance = current { out += record(glance) }
                current = nil
            default: break
            }
        }
        return out
    }

    private mutating func record(_ glance: Glance) -> [Finding] {
        let region = screen.region(of: glance.points) ?? glance.direction
        glances[region, default: []].append((glance.time, glance.seq))
        let list = glances[region]!
        guard list.count >= count else { return [] }
        let span = list.last!.time.seconds(since: list[list.count - count].time)
        let message = "glanced \(region) \(list.count) times in \(span.seconds) s"
        let isNew = raised[region] == nil
        raised[region] = message
        if isNew {
            return [.raise(key: region, at: list[list.count - count].time, evidence: list.map(\.seq), message: message)]
        }
        return [.update(key: region, evidence: [glance.seq], message: message)]
    }

    mutating func advance(to now: Timestamp) -> [Finding] {
        var out: [Finding] = []
        for region in glances.keys.sorted() {
            var list = glances[region]!
            while let first = list.first, now.millisecondsSinceEpoch - first.time.millisecondsSinceEpoch > window {
                list.removeFirst()
                // Resolved when the window no longer holds `count`, saying what it last saw.
                if list.count < count, let message = raised.removeValue(forKey: region) {
                    out.append(.resolve(key: region, at: first.time.adding(milliseconds: window), evidence: [], message: message))
                }
            }
            glances[region] = list.isEmpty ? nil : list
        }
        return out
    }
}

/// Where an off-screen gaze point lies around the screens of the last
/// `screen.monitors`: one of eight regions (left, down-left...).
struct OffScreenRegions: Sendable {
    private var bounds: (minX: Double, minY: Double, maxX: Double, maxY: Double)?

    mutating func update(_ data: JSONValue) {
        var box: (Double, Double, Double, Double)?
        for monitor in data["monitors"]?.arrayValue ?? [] {
            guard let x = monitor["x"]?.doubleValue, let y = monitor["y"]?.doubleValue,
                let w = monitor["width"]?.doubleValue, let h = monitor["height"]?.doubleValue else { continue }
            box = box.map { (min($0.0, x), min($0.1, y), max($0.2, x + w), max($0.3, y + h)) } ?? (x, y, x + w, y + h)
        }
        bounds = box.map { (minX: $0.0, minY: $0.1, maxX: $0.2, maxY: $0.3) }
    }

    /// The region of the points' median, nil without points, screens, or when it is on screen.
    func region(of points: [(Double, Double)]) -> String? {
        guard let bounds, !points.isEmpty else { return nil }
        let x = points.map(\.0).sorted()[points.count / 2]
        let y = points.map(\.1).sorted()[points.count / 2]
        let vertical = y < bounds.minY ? "up" : y > bounds.maxY ? "down" : ""
        let horizontal = x < bounds.minX ? "left" : x > bounds.maxX ? "right" : ""
        switch (vertical.isEmpty, horizontal.isEmpty) {
        case (true, true): return nil
        case (false, false): return vertical + "-" + horizontal
        default: return vertical + horizontal
        }
    }
}
