import ProctorJSON

/// One interview's report: what `proctord report` writes and the
/// `interview.report` request answers. `json` is the document for platforms
/// (docs/report.schema.json); `html` the page for a person (ReportPage).
public struct InterviewReport: Sendable {
    public static let version = 1

    public let interview: JSONValue
    public let startMs: Int64
    public let endMs: Int64
    public let generatedAt: Timestamp
    public let analytics: GazeAnalytics
    /// Name, seq of its `interview.phase`, start and end.
    let phases: [(name: String, seq: Int64, startMs: Int64, endMs: Int64)]
    let alerts: [ReportBuilder.Alert]
    /// The integrity engine's `integrity.summary`, the newest in the file.
    public let summary: JSONValue?
    let plugins: [PluginCoverage]
    let gaps: [JSONValue]

    public var id: String { interview["interview"]?.stringValue ?? "" }
    var durationSeconds: Double { Double(endMs - startMs) / 1000 }
    func offset(_ ms: Int64) -> Double { Double(ms - startMs) / 1000 }

    public var json: JSONValue {
        [
            "report_version": .number(Double(Self.version)),
            "generated_at": .string(generatedAt.rfc3339),
            "generator": .string("proctord \(ProctorVersion.string)"),
            "interview": interview,
            "duration_s": .number(durationSeconds),
            "phases": .array(phases.map { phase in
                ["name": .string(phase.name), "seq": .number(Double(phase.seq)),
                 "started_at": .string(Timestamp(millisecondsSinceEpoch: phase.startMs).rfc3339),
                 "ended_at": .string(Timestamp(millisecondsSinceEpoch: phase.endMs).rfc3339),
                 "start_s": .number(offset(phase.startMs)), "end_s": .number(offset(phase.endMs))]
            }),
            "gaze": gazeJSON,
            "calibration": calibrationJSON,
            "alerts": alertsJSON,
            "integrity": integrityJSON,
            "plugins": .array(plugins.map { $0.json(startMs: startMs, endMs: endMs) }),
            "gaps": .array(gaps),
        ]
    }

    var gazeJSON: JSONValue {
        let whole = analytics.whole
        return [
            "calibrated": .bool(whole.calibratedMilliseconds > 0),
            "notice": whole.basis == "calibrated" ? .null : .string(whole.basis == "none" ? "No gaze was recorded." : GazeAnalytics.uncalibratedNotice),
            "whole": analytics.json(whole),
            "phases": .array(analytics.shownPhases.map { analytics.json($0) }),
        ]
    }

    var calibrationJSON: JSONValue {
        let whole = analytics.whole
        let share = whole.observedMilliseconds > 0 ? (whole.calibratedMilliseconds / whole.observedMilliseconds * 1000).rounded() / 1000 : 0
        let note: String
        if analytics.firstCalibratedMs == nil {
            note = analytics.calibrationTargetsCollected > 0
                ? "Calibration targets were collected but no calibrated gaze was recorded: the calibration was not completed."
                : "Not calibrated during the interview: gaze figures use head pose and pupil position only."
        } else {
            note = "Calibrated gaze for \(Int((share * 100).rounded()))% of the time a face was seen. The fit's accuracy is answered to the page (calibration.validate) and not recorded in the file."
        }
        return [
            "calibrated": .bool(analytics.firstCalibratedMs != nil),
            "first_calibrated_at": analytics.firstCalibratedMs.map { .string(Timestamp(millisecondsSinceEpoch: $0).rfc3339) } ?? .null,
            "targets_collected": .number(Double(analytics.calibrationTargetsCollected)),
            "calibrated_share": .number(share),
            "note": .string(note),
        ]
    }

    var alertsJSON: JSONValue {
        [
            "recorded": .bool(!alerts.isEmpty),
            "note": alerts.isEmpty ? "no alerts recorded" : .null,
            "items": .array(alerts.map { alert in
                var item = alert.data
                item["first_seq"] = .number(Double(alert.firstSeq))
                item["start_s"] = .number(offset(alert.startMs))
                item["end_s"] = alert.endMs.map { .number(offset($0)) } ?? .null
                return .object(item)
            }),
        ]
    }

    var integrityJSON: JSONValue {
        guard let summary else { return ["recorded": false, "note": "no integrity summary recorded", "summary": .null, "arithmetic": .null] }
        return ["recorded": true, "note": .null, "summary": summary, "arithmetic": arithmetic.map(JSONValue.string) ?? .null]
    }

    /// The score's sum written out: "100 − 12 (face_absent) − 5 (focus_away) = 83".
    var arithmetic: String? {
        guard let summary, let max = summary["max_score"]?.doubleValue, let score = summary["score"]?.doubleValue else { return nil }
        var text = Self.number(max)
        for deduction in summary["deductions"]?.arrayValue ?? [] {
            guard let cost = deduction["cost"]?.doubleValue else { continue }
            text += " − \(Self.number(cost)) (\(deduction["rule"]?.stringValue ?? "?"))"
        }
        return text + " = \(Self.number(score))"
    }

    static func number(_ value: Double) -> String {
        value.rounded() == value ? String(Int(value)) : String((value * 100).rounded() / 100)
    }
}
