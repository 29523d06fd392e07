import Foundation

/// `make bench`: runs each benchmark and prints its figures next to the
/// target or baseline it is judged against. Figures, not pass/fail: these
/// machines are shared and noisy, so nothing here fails a build.
@main
struct BenchMain {
    static func main() async throws {
        let seconds = Double(ProcessInfo.processInfo.environment["BENCH_SECONDS"] ?? "") ?? 5
        let selected = Set(CommandLine.arguments.dropFirst())
        let all: [(String, () async throws -> [Figure])] = [
            ("bus", { try await BusBenchmark(seconds: seconds).run() }),
            ("api", { try await APIBenchmark(seconds: seconds).run() }),
            ("store", { try await StoreBenchmark(seconds: seconds).run() }),
            ("report", { try await ReportBenchmark().run() }),
            ("integrity", { try await IntegrityBenchmark(seconds: seconds).run() }),
            ("honest", {
                let minutes = Double(ProcessInfo.processInfo.environment["BENCH_HONEST_MINUTES"] ?? "") ?? 3
                return try HonestReplayBenchmark(minutes: minutes).run()
            }),
            ("x11", {
                let trials = Int(ProcessInfo.processInfo.environment["BENCH_X11_TRIALS"] ?? "") ?? 200
                return try await X11Benchmark(trials: trials, idleSeconds: 10).run()
            }),
            ("sway", {
                let environment = ProcessInfo.processInfo.environment
                return try await SwayBenchmark(trials: Int(environment["BENCH_SWAY_TRIALS"] ?? "") ?? 200,
                                               idleSeconds: Double(environment["BENCH_SWAY_IDLE_SECONDS"] ?? "") ?? 30).run()
            }),
            ("gaze", { try GazeSignalBenchmark().run() + GazePluginTimeBenchmark(rounds: 5).run() }),
            // The plugin's CPU per frame alone: seconds instead of the signals' two minutes.
            ("gaze-time", { try GazePluginTimeBenchmark(rounds: 5).run() }),
            ("audio", { try await AudioBenchmark().run() + AudioBenchmark(heldOut: true).run() + AudioLiveBenchmark().run() }),
            // The detector's figures alone, offline: seconds instead of a live agent's minute.
            ("audio-voice", { try await AudioBenchmark().run() + AudioBenchmark(heldOut: true).run() }),
            ("footprint", {
                let environment = ProcessInfo.processInfo.environment
                return try await FootprintBenchmark(
                    idleSeconds: Double(environment["BENCH_FOOTPRINT_IDLE_SECONDS"] ?? "") ?? 10,
                    workSeconds: Double(environment["BENCH_FOOTPRINT_WORK_SECONDS"] ?? "") ?? 0).run()
            }),
            ("system", {
                let window = Double(ProcessInfo.processInfo.environment["BENCH_SYSTEM_SECONDS"] ?? "") ?? 20
                return try await SystemBenchmark(seconds: window).run()
            }),
            ("call", {
                let rooms = Int(ProcessInfo.processInfo.environment["BENCH_CALL_ROOMS"] ?? "") ?? 1000
                return try await CallBenchmark(rooms: rooms).run()
            }),
            ("call-browser", {
                let environment = ProcessInfo.processInfo.environment
                return try await CallBrowserBenchmark(joins: Int(environment["BENCH_CALL_JOINS"] ?? "") ?? 5,
                                                      events: Int(environment["BENCH_CALL_EVENTS"] ?? "") ?? 300).run()
            }),
            ("idle", {
                let window = Double(ProcessInfo.processInfo.environment["BENCH_IDLE_SECONDS"] ?? "") ?? 30
                return try await IdleBenchmark(seconds: window).run()
            }),
        ]
        // Parts of another entry, run only when named: `make bench` runs the whole once.
        let partsOfOthers: Set<String> = ["gaze-time", "audio-voice"]
        for (name, run) in all where selected.isEmpty ? !partsOfOthers.contains(name) : selected.contains(name) {
            FileHandle.standardOutput.write(Data("\(name):\n".utf8))
            for figure in try await run() { FileHandle.standardOutput.write(Data((figure.line + "\n").utf8)) }
        }
    }
}
