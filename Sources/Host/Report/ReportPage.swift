import ProctorJSON

/// The report as one self-contained HTML page: inline CSS and SVG, no
/// script, nothing fetched. What it shows is observation, never a verdict.
extension InterviewReport {
    public var html: String {
        let title = interview["title"]?.stringValue ?? id
        var page = """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
            <title>Interview report: \(HTMLText.escape(title))</title><style>\(Self.style)</style></head><body>
            <header><h1>\(HTMLText.escape(title))</h1><p class="meta">\(HTMLText.escape(id)) · started \(HTMLText.escape(interview["started_at"]?.stringValue ?? "?")) · \(HTMLText.duration(durationSeconds)) · \(endText)</p></header>
            """
        page += scoreSection + timelineSection + alertsSection + gazeSection + calibrationSection + pluginsSection + gapsSection
        page += "<footer>Generated \(HTMLText.escape(generatedAt.rfc3339)) by proctord \(HTMLText.escape(ProctorVersion.string)). These are observations of this machine, not conclusions about the person.</footer></body></html>\n"
        return page
    }

    private var endText: String {
        if interview["state"] == "open" { return "never ended (the agent stopped during it): shown up to its last event" }
        return "ended: \(HTMLText.escape(interview["end_reason"]?.stringValue ?? "?"))"
            + " · \(interview["events"]?.intValue ?? 0) events, \(interview["missed"]?.intValue ?? 0) missed"
    }

    private var scoreSection: String {
        guard let summary else { return "<section id=\"score\"><h2>Integrity score</h2><p class=\"none\">no integrity summary recorded</p></section>" }
        var out = "<section id=\"score\"><h2>Integrity score</h2><p class=\"score\">\(Self.number(summary["score"]?.doubleValue ?? 0)) / \(Self.number(summary["max_score"]?.doubleValue ?? 0))</p>"
        if let arithmetic { out += "<p class=\"arithmetic\">\(HTMLText.escape(arithmetic))</p>" }
        let deductions = summary["deductions"]?.arrayValue ?? []
        if deductions.isEmpty {
            out += "<p>No deductions.</p>"
        } else {
            out += "<table><tr><th>rule</th><th>what</th><th>severity</th><th>count</th><th>duration</th><th>cost</th><th>cap</th></tr>"
            for item in deductions {
                out += "<tr><td>\(cell(item["rule"]))</td><td>\(cell(item["text"]))</td><td>\(cell(item["severity"]))</td><td>\(cell(item["count"]))</td><td>\(HTMLText.duration(item["duration_s"]?.doubleValue ?? 0))</td><td>\(cell(item["cost"]))</td><td>\(cell(item["cap"]))</td></tr>"
            }
            out += "</table>"
        }
        return out + "</section>"
    }

    private var timelineSection: String {
        var timeline = TimelineSVG(duration: durationSeconds)
        let palette = ["#c7d2fe", "#a5f3fc", "#fde68a", "#fbcfe8", "#bbf7d0"]
        timeline.row("phases", kind: "phases", phases.enumerated().map { index, phase in
            .init(from: offset(phase.startMs), to: offset(phase.endMs), colour: palette[index % palette.count],
                  title: "\(phase.name): \(HTMLText.duration(Double(phase.endMs - phase.startMs) / 1000))", label: phase.name)
        })
        timeline.row("alerts", kind: "alerts", alerts.map { alert in
            let data = JSONValue.object(alert.data)
            return .init(from: offset(alert.startMs), to: offset(alert.endMs ?? endMs), colour: TimelineSVG.severityColour(data["severity"]?.stringValue),
                         title: "\(data["severity"]?.stringValue ?? "?"): \(data["message"]?.stringValue ?? data["rule"]?.stringValue ?? "")")
        })
        for plugin in plugins {
            let states = plugin.json(startMs: startMs, endMs: endMs)["states"]?.arrayValue ?? []
            timeline.row(plugin.plugin, kind: "plugin", states.map { state in
                let name = state["state"]?.stringValue ?? "unknown"
                return .init(from: state["from_s"]?.doubleValue ?? 0, to: state["to_s"]?.doubleValue ?? 0, colour: TimelineSVG.stateColour(name),
                             title: name + (state["reason"]?.stringValue.map { ": " + $0 } ?? ""))
            })
        }
        return "<section><h2>Timeline</h2>\(timeline.svg)<p class=\"legend\"><span style=\"background:#16a34a\"></span>running <span style=\"background:#f59e0b\"></span>degraded <span style=\"background:#dc2626\"></span>crashed, stopped or failed <span style=\"background:#d1d5db\"></span>state not recorded</p></section>"
    }

    private var alertsSection: String {
        guard !alerts.isEmpty else { return "<section id=\"alerts\"><h2>Alerts</h2><p class=\"none\">no alerts recorded</p></section>" }
        var out = "<section id=\"alerts\"><h2>Alerts</h2><table><tr><th>at</th><th>severity</th><th>rule</th><th>what was observed</th><th>state</th><th>duration</th><th>evidence (seqs)</th></tr>"
        for alert in alerts {
            let data = JSONValue.object(alert.data)
            let evidence = (data["evidence"]?.arrayValue ?? []).compactMap(\.intValue)
            let shown = evidence.prefix(12).map(String.init).joined(separator: ", ") + (evidence.count > 12 ? " … (\(evidence.count))" : "")
            out += "<tr class=\"alert\"><td>\(HTMLText.duration(offset(alert.startMs)))</td><td>\(cell(data["severity"]))</td><td>\(cell(data["rule"]))</td><td>\(cell(data["message"]))</td><td>\(cell(data["state"]))</td><td>\(data["duration_s"]?.doubleValue.map(HTMLText.duration) ?? "")</td><td>\(HTMLText.escape(shown))</td></tr>"
        }
        return out + "</table></section>"
    }

    private var gazeSection: String {
        var out = "<section id=\"gaze\"><h2>Gaze</h2>"
        if analytics.whole.basis != "calibrated" {
            out += "<p class=\"notice\">\(HTMLText.escape(analytics.whole.basis == "none" ? "No gaze was recorded." : GazeAnalytics.uncalibratedNotice))</p>"
        }
        out += "<div class=\"scopes\">" + scopeCard(analytics.whole, label: "whole interview")
        for scope in analytics.shownPhases { out += scopeCard(scope, label: scope.name ?? "before the first phase") }
        return out + "</div></section>"
    }

    private func scopeCard(_ scope: GazeScope, label: String) -> String {
        var out = "<div class=\"scope\" data-scope=\"\(HTMLText.escape(label))\"><h3>\(HTMLText.escape(label))</h3>"
        if let (grid, screen) = analytics.screenGrid(scope) {
            out += HeatmapSVG.screen(grid, screen: screen, label: label)
            out += "<p class=\"caption\">Screen \(HTMLText.number(screen.width)) × \(HTMLText.number(screen.height))\(screen.source == "screen.monitors" ? "" : " (size from the gaze points: no screen.monitors recorded)"); \(HTMLText.duration(grid.outsideMilliseconds / 1000)) off screen.</p>"
        }
        if let grid = analytics.directionGrid(scope) {
            out += HeatmapSVG.direction(grid, label: label)
            out += "<p class=\"caption notice\">Uncalibrated: where head and eyes pointed, not a place on the screen.</p>"
        }
        if scope.basis == "none" { out += "<p class=\"none\">No gaze was recorded.</p>" }
        let json = analytics.json(scope)
        func seconds(_ key: String) -> String { HTMLText.duration(json[key]?.doubleValue ?? 0) }
        func rate(_ key: String) -> String { json[key]?["per_minute"]?.doubleValue.map { " (\(HTMLText.number($0))/min)" } ?? "" }
        out += "<table class=\"stats\"><tr><th>duration</th><td>\(seconds("duration_s"))</td></tr><tr><th>face seen</th><td>\(seconds("observed_s"))</td></tr>"
        out += "<tr><th>on screen / away</th><td>\(seconds("on_screen_s")) / \(seconds("away_s"))</td></tr><tr><th>no face</th><td>\(seconds("no_face_s"))</td></tr>"
        out += "<tr><th>fixations</th><td>\(scope.fixations)\(json["fixations"]?["mean_duration_ms"]?.doubleValue.map { ", mean \(HTMLText.number($0)) ms" } ?? "")</td></tr>"
        out += "<tr><th>saccades</th><td>\(scope.saccades)\(rate("saccades"))</td></tr><tr><th>blinks</th><td>\(scope.blinks)\(rate("blinks"))</td></tr></table></div>"
        return out
    }

    private var calibrationSection: String {
        let calibration = calibrationJSON
        return "<section id=\"calibration\"><h2>Calibration</h2><p>\(HTMLText.escape(calibration["note"]?.stringValue ?? ""))</p><p>Targets collected: \(calibration["targets_collected"]?.intValue ?? 0). First calibrated gaze: \(HTMLText.escape(calibration["first_calibrated_at"]?.stringValue ?? "none")).</p></section>"
    }

    private var pluginsSection: String {
        var engine: [String: JSONValue] = [:]
        for item in summary?["coverage"]?.arrayValue ?? [] { if let plugin = item["plugin"]?.stringValue { engine[plugin] = item } }
        var out = "<section id=\"coverage\"><h2>What each plugin could see</h2><table><tr><th>plugin</th><th>observing</th><th>not observing</th><th>state not recorded</th><th>share</th>\(engine.isEmpty ? "" : "<th>engine's share</th>")<th>events</th></tr>"
        for plugin in plugins {
            let json = plugin.json(startMs: startMs, endMs: endMs)
            let share = json["share"]?.doubleValue.map { "\(HTMLText.number($0 * 100))%" } ?? "–"
            let events = (json["events"]?.objectValue?.members ?? []).map { "\($0.key) \($0.value.intValue ?? 0)" }.joined(separator: ", ")
            out += "<tr><td>\(HTMLText.escape(plugin.plugin))</td><td>\(HTMLText.duration(json["observed_s"]?.doubleValue ?? 0))</td><td>\(HTMLText.duration(json["not_observed_s"]?.doubleValue ?? 0))</td><td>\(HTMLText.duration(json["unknown_s"]?.doubleValue ?? 0))</td><td>\(share)</td>"
            if !engine.isEmpty { out += "<td>\(engine[plugin.plugin]?["share"]?.doubleValue.map { "\(HTMLText.number($0 * 100))%" } ?? "–")</td>" }
            out += "<td class=\"small\">\(HTMLText.escape(events))</td></tr>"
        }
        return out + "</table><p class=\"caption\">Only a running plugin observes: time degraded, crashed or stopped is not observed, never clean.</p></section>"
    }

    private var gapsSection: String {
        guard !gaps.isEmpty else { return "" }
        var out = "<section id=\"gaps\"><h2>Events missing from the file</h2><ul>"
        for gap in gaps {
            out += "<li>seqs \(gap["first_missing"]?.intValue ?? 0)–\(gap["last_missing"]?.intValue ?? 0): \(cell(gap["cause"]))</li>"
        }
        return out + "</ul></section>"
    }

    private func cell(_ value: JSONValue?) -> String {
        switch value {
        case .string(let text)?: HTMLText.escape(text)
        case .number(let number)?: Self.number(number)
        case nil, .null?: ""
        case let other?: HTMLText.escape(JSONWriter.compact(other))
        }
    }

    static let style = """
        body{font:14px/1.45 system-ui,sans-serif;color:#111827;margin:24px auto;max-width:1000px;padding:0 16px}\
        h1{font-size:22px;margin:0}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #e5e7eb}h3{font-size:14px;margin:0 0 6px}\
        .meta,.caption,footer{color:#4b5563;font-size:12px}.score{font-size:28px;font-weight:600;margin:4px 0}\
        .arithmetic{font-family:ui-monospace,monospace}.none{color:#6b7280;font-style:italic}.notice{color:#1d4ed8}\
        table{border-collapse:collapse;margin:6px 0}td,th{border:1px solid #e5e7eb;padding:3px 6px;text-align:left;vertical-align:top}\
        .scopes{display:flex;flex-wrap:wrap;gap:16px}.scope{border:1px solid #e5e7eb;padding:8px;width:340px}.small{font-size:11px}\
        .legend span{display:inline-block;width:10px;height:10px;margin:0 3px 0 10px}footer{margin-top:32px}
        """
}
