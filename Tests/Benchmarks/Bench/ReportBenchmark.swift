import Foundation
import ProctorHost
import ProctorJSON
import ProctorTestSupport

/// The report of a synthetic one-hour interview: gaze samples at 30 a
/// second plus phases, blinks, fixations, heartbeat ticks, plugin states,
/// alerts and a summary, in a file on disk written through the store's code.
/// The figure is the time from opening the file to holding both the JSON and
/// the HTML text; memory is the process's peak resident size while it runs
/// (the kernel's high-water mark, reset just before).
struct ReportBenchmark {
    func run() async throws -> [Figure] {
        let dir = TemporaryDirectory("proctord-bench-report")
        try PrivateDirectory.create(dir.path + "/interviews")
        let synthetic = try SyntheticInterview.write(directory: dir.path + "/interviews", minutes: 60, sampleRate: 30)
        let archive = InterviewArchive(directory: dir.path + "/interviews")
        let before = Self.memory("VmRSS")
        Self.resetPeak()
        let start = ContinuousClock.now
        let report = try archive.report(synthetic.id)
        let json = JSONWriter.compact(report.json)
        let html = report.html
        let elapsed = (ContinuousClock.now - start).seconds
        let peak = Self.memory("VmHWM")
        return [
            Figure(name: "report of a 1-hour interview (\(synthetic.events) events), JSON + HTML", value: elapsed, unit: "s", target: 2, higherIsBetter: false),
            Figure(name: "report: peak resident memory while generating", value: peak, unit: "MiB", target: nil, higherIsBetter: false),
            Figure(name: "report: resident memory before generating", value: before, unit: "MiB", target: nil, higherIsBetter: false),
            Figure(name: "report: JSON size", value: Double(json.utf8.count) / 1024, unit: "KiB", target: nil, higherIsBetter: false),
            Figure(name: "report: HTML size", value: Double(html.utf8.count) / 1024, unit: "KiB", target: nil, higherIsBetter: false),
        ]
    }

    /// A line of /proc/self/status in MiB.
    static func memory(_ field: String) -> Double {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix(field + ":") } ?? ""
        return Double(line.split(separator: " ").dropFirst().first ?? "0").map { $0 / 1024 } ?? 0
    }

    /// Writing 5 to clear_refs resets the peak resident size (Linux 4.0 and later).
    static func resetPeak() {
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
    }
}
