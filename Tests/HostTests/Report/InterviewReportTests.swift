import Foundation
import Logging
import ProctorHost
import ProctorJSON
import ProctorTestSupport
import Testing

/// Reports built from interview files written through the store's own code
/// with scripted events, checked against the script and against
/// docs/report.schema.json.
@Suite struct InterviewReportTests {
    let dir = TemporaryDirectory("proctord-report")
    var interviews: String { dir.path + "/state/interviews" }

    init() throws { try PrivateDirectory.create(dir.path + "/state/interviews") }

    static func schemaProblems(_ report: JSONValue) throws -> [String] {
        let schema = try JSONSchema(text: String(contentsOfFile: TestBuild.repositoryRoot + "/docs/report.schema.json", encoding: .utf8))
        return schema.violations(of: report).map { "\($0)" }
    }

    @Test func theReportOfAnInterviewFollowsItsScriptAndItsSchema() throws {
        let synthetic = try SyntheticInterview.write(directory: interviews, minutes: 4)
        let report = try InterviewArchive(directory: interviews).report(synthetic.id).json
        let problems = try Self.schemaProblems(report)
        #expect(problems.isEmpty, "\(problems)")
        #expect(report["interview"]?["interview"]?.stringValue == synthetic.id && report["duration_s"] == 240)
        let names = (report["phases"]?.arrayValue ?? []).map { $0["name"]?.stringValue ?? "-" }
        #expect(names == synthetic.phases)

        // Each question's gaze dwelt near its own spot: the heatmap's peak is within a cell of it.
        let phases = try #require(report["gaze"]?["phases"]?.arrayValue)
        #expect(phases.map { $0["name"]?.stringValue ?? "-" } == synthetic.phases, "the time before the first phase saw no gaze and is left out")
        for (k, phase) in phases.enumerated().dropFirst() {
            let map = try #require(phase["heatmap"], "\(k)")
            #expect(map["columns"] == 32 && map["rows"] == 18 && map["screen"]?["source"] == "screen.monitors")
            let spot = SyntheticInterview.target(phase: k)
            let peak = (map["peak"]?.arrayValue ?? []).compactMap(\.intValue)
            try #require(peak.count == 2)
            #expect(abs(peak[0] - Int(spot.x / 1920 * 32)) <= 1 && abs(peak[1] - Int(spot.y / 1080 * 18)) <= 1, "phase \(k): peak \(peak), spot \(spot)")
            #expect(phase["basis"] == "calibrated" && phase["direction_heatmap"] == .null)
        }
        // The introduction began uncalibrated: both maps, and it says so.
        #expect(phases[0]["direction_heatmap"] != .null && phases[0]["heatmap"] != .null)
        #expect(phases[0]["notice"]?.stringValue?.hasPrefix("Calibrated for") == true)
        // A blink every 3 s with a face in view: 20 a minute, give or take the edges.
        let blinks = try #require(report["gaze"]?["whole"]?["blinks"]?["per_minute"]?.doubleValue)
        #expect(abs(blinks - 20) < 0.5, "\(blinks)")
        #expect(abs((report["gaze"]?["whole"]?["no_face_s"]?.doubleValue ?? 0) - 3) < 0.1)
        #expect(abs((report["gaze"]?["whole"]?["away_s"]?.doubleValue ?? 0) - 20) < 0.2, "a 5 s look away in each of 4 phases")
        #expect(report["calibration"]?["calibrated"] == true && report["calibration"]?["targets_collected"] == 9)

        let alert = try #require(report["alerts"]?["items"]?.arrayValue?.first)
        #expect(report["alerts"]?["recorded"] == true && alert["state"] == "resolved" && alert["rule"] == "face_absent")
        let evidence = (alert["evidence"]?.arrayValue ?? []).compactMap(\.intValue)
        #expect(evidence == synthetic.noFaceSeqs.map(Int.init) && !evidence.isEmpty)
        #expect(report["integrity"]?["arithmetic"] == "100 − 8 (face_absent) − 4 (plugin_degraded) = 88")

        let gaze = try #require(report["plugins"]?.arrayValue?.first { $0["plugin"] == "gaze" })
        // Its state at the start is kept (start_states) after newer ones replaced it in plugin_states.
        let states = (gaze["states"]?.arrayValue ?? []).map { $0["state"]?.stringValue ?? "-" }
        #expect(states == ["running", "degraded", "running"])
        #expect(abs((gaze["not_observed_s"]?.doubleValue ?? 0) - 20) < 0.1 && gaze["unknown_s"] == 0)
        let screen = try #require(report["plugins"]?.arrayValue?.first { $0["plugin"] == "screen" })
        #expect(screen["share"] == 1 && screen["observed_s"] == 240, "a plugin whose state never changed keeps its state at the start")
        #expect((gaze["events"]?["gaze.sample"]?.intValue ?? 0) > 7000)
    }

    @Test func withoutTheEngineTheReportSaysSoAndStillCoversThePlugins() throws {
        let synthetic = try SyntheticInterview.write(directory: interviews, minutes: 2, withEngine: false)
        let report = try InterviewArchive(directory: interviews).report(synthetic.id)
        let json = report.json
        let problems = try Self.schemaProblems(json)
        #expect(problems.isEmpty, "\(problems)")
        #expect(json["alerts"]?["note"] == "no alerts recorded" && json["alerts"]?["items"] == [])
        #expect(json["integrity"]?["note"] == "no integrity summary recorded" && json["integrity"]?["summary"] == .null)
        let gaze = try #require(json["plugins"]?.arrayValue?.first { $0["plugin"] == "gaze" })
        // Running (observed) from the start, as start_states tells, except its degraded stretch of 20 s at 72 s.
        #expect(abs((gaze["share"]?.doubleValue ?? 0) - 100 / 120.0) < 0.002)
        let html = report.html
        #expect(html.contains("no alerts recorded") && html.contains("no integrity summary recorded"))
        #expect(!html.contains("src=") && !html.contains("href=") && !html.contains("url(") && !html.contains("<script"), "self-contained")
    }

    @Test func anInterviewThatNeverEndedEndsAtItsLastEventAndStatesAreUnknownUntilRecorded() throws {
        // No state at the start for "screen": its first plugin.state comes 5 s in.
        let file = try ScriptedInterview(directory: interviews, id: "i_20261207T110000Z_000001", title: nil, startMs: 1_000_000,
                                         initialStates: [PluginState(plugin: "gaze", name: .running)])
        file.add(at: 1_005_000, "host", "plugin.state", #"{"plugin":"screen","state":"running","restarts":0}"#)
        file.add(at: 1_010_000, "host", "interview.phase", #"{"interview":"i_20261207T110000Z_000001","name":"a <b> & \"c\""}"#)
        file.add(at: 1_030_000, "heartbeat", "heartbeat.tick", #"{"n":1}"#)
        try file.finish(endMs: nil)
        let report = try InterviewArchive(directory: interviews).report(file.id)
        let json = report.json
        let problems = try Self.schemaProblems(json)
        #expect(problems.isEmpty, "\(problems)")
        #expect(json["interview"]?["state"] == "open" && json["duration_s"] == 30)
        #expect(json["phases"]?.arrayValue?.first?["end_s"] == 30 && json["gaze"]?["whole"]?["basis"] == "none")
        let screen = try #require(json["plugins"]?.arrayValue?.first { $0["plugin"] == "screen" })
        #expect(screen["unknown_s"] == 5 && screen["observed_s"] == 25)
        // Names reach the page escaped.
        #expect(report.html.contains("a &lt;b&gt; &amp; &quot;c&quot;") && !report.html.contains("a <b>"))
    }

    @Test func theReportUsesTheScreenAndTheStatesCopiedInWhenTheInterviewBegan() async throws {
        let bus = EventBus()
        let store = InterviewManager(directory: interviews, settings: .init(), bus: bus, logger: .silent)
        // Published before the interview and never during it: only the copy at the start tells the screen's size.
        let screen = bus.publish(plugin: "screen", topic: "screen.monitors", data:
            #"{"reason":"start","count":1,"monitors":[{"name":"DP-1","x":0,"y":0,"width":2560,"height":1440,"primary":true,"width_mm":597,"height_mm":336}]}"#)
        let started = try await store.start(title: nil, guidelines: nil, session: "s_test", pluginStates: [
            PluginState(plugin: "gaze", name: .running), PluginState(plugin: "screen", name: .running),
        ], screen: screen)
        let id = try #require(started["interview"]?.stringValue)
        bus.publish(topic: "plugin.state", data: PluginState(plugin: "gaze", name: .degraded, reason: "camera busy").json)
        _ = try await store.end(reason: "request")

        let report = try InterviewArchive(directory: interviews).report(id)
        #expect(report.analytics.monitor?.width == 2560 && report.analytics.monitor?.height == 1440)
        let gaze = try #require(report.json["plugins"]?.arrayValue?.first { $0["plugin"] == "gaze" })
        // The state at the start survives the newer one that replaced it in plugin_states.
        #expect((gaze["states"]?.arrayValue ?? []).map { $0["state"]?.stringValue ?? "-" } == ["running", "degraded"], "\(gaze)")
        #expect(gaze["unknown_s"] == 0)
        let problems = try Self.schemaProblems(report.json)
        #expect(problems.isEmpty, "\(problems)")
    }

    @Test func aVersion2FileStillReportsItsStatesOfSeqZero() throws {
        // Schema 2 had no start_states: a plugin's plugin_states row of seq 0 is its state at the start.
        let file = try ScriptedInterview(directory: interviews, id: "i_20261207T120000Z_000002", title: nil, startMs: 2_000_000,
                                         initialStates: [PluginState(plugin: "screen", name: .running)], schemaVersion: 2)
        file.add(at: 2_010_000, "heartbeat", "heartbeat.tick", #"{"n":1}"#)
        try file.finish(endMs: 2_020_000)
        let json = try InterviewArchive(directory: interviews).report(file.id).json
        let screen = try #require(json["plugins"]?.arrayValue?.first { $0["plugin"] == "screen" })
        #expect(screen["observed_s"] == 20 && screen["unknown_s"] == 0)
    }

    /// `proctord report` against the files, without an agent.
    @Test func theCommandWritesBothFilesAndNamesWhatIsWrong() throws {
        let synthetic = try SyntheticInterview.write(directory: interviews, minutes: 1)
        func proctord(_ arguments: String...) throws -> (status: Int32, out: String) {
            try runProctord(["report"] + arguments + ["--state-dir", dir.path + "/state"])
        }
        let html = dir.path + "/report.html", json = dir.path + "/report.json"
        let written = try proctord(synthetic.id, "--html", html, "--json", json)
        #expect(written.status == 0 && written.out.isEmpty, "\(written.out)")
        let document = try JSONParser.parse(try String(contentsOfFile: json, encoding: .utf8))
        let problems = try Self.schemaProblems(document)
        #expect(document["interview"]?["interview"]?.stringValue == synthetic.id && problems.isEmpty, "\(problems)")
        #expect(try String(contentsOfFile: html, encoding: .utf8).hasPrefix("<!doctype html>"))
        var info = stat()
        #expect(stat(html, &info) == 0 && info.st_mode & 0o777 == 0o600)

        let unknown = try proctord("i_20990101T000000Z_ffffff", "--json", json)
        #expect(unknown.status == 1 && unknown.out == "no interview i_20990101T000000Z_ffffff in \(interviews)\n")
        let bad = try proctord("../etc/passwd", "--json", json)
        #expect(bad.status == 1 && bad.out.contains("not an interview id"))
        let unwritable = try proctord(synthetic.id, "--html", dir.path + "/missing/report.html")
        #expect(unwritable.status == 1 && unwritable.out.hasPrefix("cannot write the HTML report: \(dir.path)/missing/report.html"), "\(unwritable.out)")
        let neither = try proctord(synthetic.id)
        #expect(neither.status == 64 && neither.out.contains("give --html FILE, --json FILE or both"))
    }
}
