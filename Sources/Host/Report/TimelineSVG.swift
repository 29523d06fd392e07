/// The interview's timeline as inline SVG: one row of phases, one of
/// alerts, one per plugin's states, on a shared time axis.
struct TimelineSVG {
    struct Bar {
        var from: Double, to: Double, colour: String, title: String, label: String? = nil
    }

    static let width = 960.0, labelWidth = 140.0, rowHeight = 26.0

    let duration: Double
    private(set) var rows: [(name: String, kind: String, bars: [Bar])] = []

    init(duration: Double) { self.duration = max(duration, 0.001) }

    mutating func row(_ name: String, kind: String, _ bars: [Bar]) { rows.append((name, kind, bars)) }

    var svg: String {
        let height = Double(rows.count) * Self.rowHeight + 24
        let span = Self.width - Self.labelWidth - 8
        func x(_ seconds: Double) -> Double { Self.labelWidth + max(0, min(seconds, duration)) / duration * span }
        var out = "<svg id=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(HTMLText.number(Self.width))\" height=\"\(HTMLText.number(height))\" viewBox=\"0 0 \(HTMLText.number(Self.width)) \(HTMLText.number(height))\" role=\"img\" aria-label=\"timeline\">"
        for (index, row) in rows.enumerated() {
            let y = Double(index) * Self.rowHeight
            out += "<g class=\"timeline-row\" data-kind=\"\(row.kind)\"><text x=\"0\" y=\"\(HTMLText.number(y + 17))\" font-size=\"12\" fill=\"#111827\">\(HTMLText.escape(row.name))</text>"
            out += "<rect x=\"\(HTMLText.number(Self.labelWidth))\" y=\"\(HTMLText.number(y + 4))\" width=\"\(HTMLText.number(span))\" height=\"\(HTMLText.number(Self.rowHeight - 8))\" fill=\"#f3f4f6\"/>"
            for bar in row.bars {
                let left = x(bar.from), right = max(x(bar.to), left + 2)
                out += "<rect class=\"bar\" x=\"\(HTMLText.number(left))\" y=\"\(HTMLText.number(y + 4))\" width=\"\(HTMLText.number(right - left))\" height=\"\(HTMLText.number(Self.rowHeight - 8))\" fill=\"\(bar.colour)\"><title>\(HTMLText.escape(bar.title))</title></rect>"
                if let label = bar.label, right - left > 40 {
                    out += "<text x=\"\(HTMLText.number(left + 3))\" y=\"\(HTMLText.number(y + 17))\" font-size=\"11\" fill=\"#111827\">\(HTMLText.escape(String(label.prefix(Int((right - left) / 6)))))</text>"
                }
            }
            out += "</g>"
        }
        let axisY = Double(rows.count) * Self.rowHeight + 16
        for step in 0...4 {
            let seconds = duration * Double(step) / 4
            let anchor = step == 0 ? "start" : step == 4 ? "end" : "middle"
            out += "<text x=\"\(HTMLText.number(x(seconds)))\" y=\"\(HTMLText.number(axisY))\" font-size=\"11\" fill=\"#6b7280\" text-anchor=\"\(anchor)\">\(HTMLText.duration(seconds))</text>"
        }
        return out + "</svg>"
    }

    static func stateColour(_ state: String) -> String {
        switch state {
        case "running": "#16a34a"
        case "degraded": "#f59e0b"
        case "unknown": "#d1d5db"
        case "starting", "stopping": "#93c5fd"
        default: "#dc2626"
        }
    }

    static func severityColour(_ severity: String?) -> String {
        switch severity {
        case "high": "#b91c1c"
        case "medium": "#ea580c"
        default: "#facc15"
        }
    }
}
