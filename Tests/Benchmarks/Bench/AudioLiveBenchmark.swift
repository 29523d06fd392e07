import Foundation
import ProctorHost
import ProctorJSON
import ProctorTestSupport

/// The audio plugin live: a real agent runs it against a private PulseAudio
/// daemon (a null sink whose monitor is the default source; no sound card
/// here) while speech plays. Its CPU while listening, from /proc/<pid>/stat
/// of the plugin's child, and how far each audio.voice event trails the edge
/// it reports (delay_ms: the detector's onset window and hangover). The time
/// the sound spends in the null sink before the monitor hands it on is the
/// test setup's and is left out (see VoiceTests).
struct AudioLiveBenchmark {
    func run() async throws -> [Figure] {
        let directory = TemporaryDirectory("proctord-audio-live")
        let pulse = try PulseAudioServer(directory: directory)
        defer { pulse.stop() }
        var builder = ConfigBuilder()
        builder.add(id: "audio", library: "audio", config: ["server": .string(pulse.server)])
        var paths = AgentPaths.fromEnvironment()
        paths.stateDirectory = directory.path + "/state"
        let agent = Agent(config: try ConfigLoader.load(file: builder.write(to: directory)), paths: paths, logger: .silent,
                          executable: TestBuild.proctord)
        let log = EventLog(bus: agent.bus, patterns: ["audio.voice"])
        try await agent.start()
        guard await eventually(timeout: .seconds(15), {
            let answer = try? await agent.supervisor("audio")?.request(#"{"method":"status"}"#)
            return answer.flatMap { try? JSONParser.parse($0)["result"]?["connected"] } == true
        }), let pid = await agent.supervisor("audio")?.pid else {
            await agent.stopAll()
            throw BenchError("the audio plugin did not connect")
        }
        let sounds = TestSounds(directory: directory)
        let gap = try sounds.silence("gap", seconds: 1.0)
        var parts = [gap]
        for (i, text) in ["Tell me about a project you worked on last year.", "Which database did you choose, and why?",
                          "How did you test it before the release?", "What would you change today?"].enumerated() {
            parts += [try sounds.speech("s\(i)", text, voice: i % 2 == 0 ? "en-us" : "en-gb"), gap]
        }
        let file = try sounds.concatenate("speech", parts)
        let cpuBefore = Processes.cpuSeconds(pid)
        let began = ContinuousClock.now
        try pulse.play(file)
        let elapsed = ContinuousClock.now - began
        let cpu = Processes.cpuSeconds(pid) - cpuBefore
        _ = await eventually(timeout: .seconds(5)) { log.all.count >= 8 }
        await agent.stopAll()
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let delays = log.all.compactMap { try? JSONParser.parse($0.data) }
        func figures(_ state: String, _ label: String) -> [Figure] {
            let values = delays.filter { $0["state"]?.stringValue == state }.compactMap { $0["delay_ms"]?.doubleValue }.sorted()
            guard !values.isEmpty else { return [] }
            let median = values[values.count / 2], p99 = values[min(values.count - 1, Int(Double(values.count) * 0.99))]
            return [Figure(name: "\(label) -> audio.voice, median (\(values.count) segments)", value: median, unit: "ms", target: nil, higherIsBetter: false),
                    Figure(name: "\(label) -> audio.voice, p99", value: p99, unit: "ms", target: nil, higherIsBetter: false)]
        }
        return [Figure(name: "audio plugin CPU while listening at 16 kHz (\(Int(seconds)) s)", value: cpu / seconds * 100, unit: "% of a core",
                       target: 1, higherIsBetter: false)]
            + figures("started", "voice onset") + figures("stopped", "voice end")
    }
}
