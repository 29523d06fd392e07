import AudioPulse
import PluginKit
import ProctorJSON
import Synchronization

/// Voice activity on the source the plugin records: the samples from the
/// record stream go through the WebRTC VAD and `VoiceDetector` on the main
/// loop's thread and are dropped there; only `audio.voice` leaves.
final class VoiceMonitor: @unchecked Sendable {
    private struct State {
        var pipeline: VoicePipeline
        var pending: [Int16] = []
        var source: String?
        /// What the page last said about the interviewer speaking.
        var remoteSpeaking = false
        /// The interviewer spoke at some point of the current segment.
        var overlapsRemote = false
    }

    private let host: PluginHost
    private let frameSamples: Int
    private let frameMs: Int
    private let state: Mutex<State>

    init(host: PluginHost, settings: VoiceDetector.Settings, vadMode: Int) throws {
        precondition(Int(AUDIO_PULSE_RATE_HZ) == VoicePipeline.rateHz, "the record stream's rate is the detector's")
        let pipeline: VoicePipeline
        do { pipeline = try VoicePipeline(settings: settings, vadMode: vadMode) } catch { throw PluginError("\(error)") }
        self.host = host
        frameSamples = pipeline.frameSamples
        frameMs = pipeline.frameMs
        state = Mutex(State(pipeline: pipeline))
    }

    /// The record stream now records `source` (nil: it stopped): a segment under way ends.
    func recording(from source: String?, reason: String) {
        state.withLock { s in
            finish(&s, reason: reason)
            s.source = source
            s.pipeline.reset()
            s.pending.removeAll()
        }
    }

    /// The page's word on the interviewer speaking (`remote_speech`).
    func remoteSpeech(active: Bool) {
        state.withLock { s in
            s.remoteSpeaking = active
            if active && s.pipeline.detector.isActive { s.overlapsRemote = true }
        }
    }

    var status: JSONValue {
        state.withLock { s in
            ["source": s.source.map(JSONValue.string) ?? .null, "voice": .bool(s.pipeline.detector.isActive),
             "remote_speech": .bool(s.remoteSpeaking), "noise_floor_dbfs": .number((s.pipeline.detector.floor * 10).rounded() / 10)]
        }
    }

    /// Samples from the record stream, on the main loop's thread.
    func consume(_ samples: UnsafeBufferPointer<Int16>) {
        state.withLock { s in
            s.pending.append(contentsOf: samples)
            let pipeline = s.pipeline
            var offset = 0
            while s.pending.count - offset >= frameSamples {
                let transition = s.pending.withUnsafeBufferPointer { all in
                    pipeline.push(UnsafeBufferPointer(rebasing: all[offset..<(offset + frameSamples)]))
                }
                if let transition { publish(transition, &s) }
                offset += frameSamples
            }
            s.pending.removeFirst(offset)
        }
    }

    private func publish(_ transition: VoiceDetector.Transition, _ s: inout State) {
        var data: JSONObject = ["source": s.source.map(JSONValue.string) ?? .null]
        switch transition {
        case .started(let delay, let level, let floor):
            s.overlapsRemote = s.remoteSpeaking
            data["state"] = "started"
            data["delay_ms"] = .number(Double(delay * frameMs))
            data["level_dbfs"] = .number(rounded(level))
            data["noise_floor_dbfs"] = .number(rounded(floor))
        case .stopped(let delay, let duration, let level, let floor):
            data["state"] = "stopped"
            data["delay_ms"] = .number(Double(delay * frameMs))
            data["duration_ms"] = .number(Double(duration * frameMs))
            data["level_dbfs"] = .number(rounded(level))
            data["noise_floor_dbfs"] = .number(rounded(floor))
            data["reason"] = "silence"
        }
        data["during"] = s.overlapsRemote ? "remote_speech" : "local_only"
        host.emit("audio.voice", .object(data))
    }

    /// Ends a segment under way when the stream goes (the source changed, the server went away).
    private func finish(_ s: inout State, reason: String) {
        guard s.pipeline.detector.isActive else { return }
        host.emit("audio.voice", [
            "state": "stopped", "source": s.source.map(JSONValue.string) ?? .null, "delay_ms": 0,
            "during": s.overlapsRemote ? "remote_speech" : "local_only", "reason": .string(reason),
        ])
    }

    private func rounded(_ value: Double) -> Double { max(-120, (value * 10).rounded() / 10) }
}
