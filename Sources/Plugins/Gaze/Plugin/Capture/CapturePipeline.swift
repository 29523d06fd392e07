import Foundation
import PluginKit

/// The live path: a capture thread reads the source (pacing a file to its
/// frame rate, reopening a camera that vanished) and a processing thread
/// runs the engine on the newest frame. Health goes to the host: degraded
/// with the reason while there is no source, running when frames flow.
final class CapturePipeline: @unchecked Sendable {
    private let settings: GazeSettings
    private let engine: GazeEngine
    private let host: PluginHost
    private let slot = LatestFrameSlot()
    private let capture = PluginThread()
    private let processing = PluginThread()

    init(settings: GazeSettings, engine: GazeEngine, host: PluginHost) {
        self.settings = settings
        self.engine = engine
        self.host = host
    }

    func start() {
        capture.start(name: "gaze-capture") { [self] stop in captureLoop(stop) }
        processing.start(name: "gaze-process") { [self] stop in processLoop(stop) }
    }

    func stop() {
        slot.close()
        capture.stop()
        processing.stop()
    }

    private func captureLoop(_ stop: StopSignal) {
        // The models first, here rather than in the plugin's create: the plugin
        // is started (and the agent ready) at once, degraded until they are read.
        host.reportHealth(degraded: "loading the landmark model")
        do { try engine.loadTracker() } catch {
            host.reportHealth(degraded: "cannot load the vision models: \(error)")
            _ = stop.wait(seconds: 1e9)
            return
        }
        while !stop.isRaised {
            let source: FrameSource
            do {
                source = try FrameSource(CameraList.resolve(settings.source), width: settings.width, height: settings.height, fps: settings.fps)
            } catch {
                host.reportHealth(degraded: "no frames: \(error); retrying every \(settings.cameraRetrySeconds) s")
                if stop.wait(seconds: settings.cameraRetrySeconds) { return }
                continue
            }
            host.log(.info, "reading \(source.describe)")
            host.reportHealth(degraded: nil)
            slot.beginNewSource()
            read(source, stop)
            if case .camera = settings.source {
                host.reportHealth(degraded: "the camera stopped delivering frames; reopening")
                if stop.wait(seconds: 1) { return }
            } else if !settings.loop {
                host.reportHealth(degraded: "the file source ended")
                _ = stop.wait(seconds: 1e9)
                return
            }
        }
    }

    /// Reads until the source ends, fails or stop is asked for.
    private func read(_ source: FrameSource, _ stop: StopSignal) {
        let isFile: Bool = { if case .camera = settings.source { false } else { true } }()
        let interval = isFile ? 1 / max(1, source.fps > 0 ? source.fps : Double(settings.fps)) : 0
        var next = Date()
        while !stop.isRaised {
            switch Result(catching: { try source.read() }) {
            case .success(.frame(var frame, let dropped)):
                if isFile {
                    // Files play in real time, with the wall clock as their time base.
                    if stop.wait(seconds: next.timeIntervalSinceNow) { return }
                    next += interval
                    frame.timestampMilliseconds = Date().timeIntervalSince1970 * 1000
                }
                slot.put(frame, droppedByDriver: dropped)
            case .success(.endOfStream):
                return
            case .failure(let error):
                host.log(.warning, "reading frames failed: \(error)")
                return
            }
        }
    }

    private func processLoop(_ stop: StopSignal) {
        var generation = -1
        while !stop.isRaised {
            // No timeout: `stop` closes the slot first, which ends the wait, so
            // a camera that is missing or paused costs no wake-ups here.
            switch slot.take() {
            case .closed: return
            case .frame(let taken):
                // A new source: what the tracker followed in the old one is gone.
                if taken.generation != generation {
                    engine.reset()
                    generation = taken.generation
                }
                do { try engine.process(taken.frame, droppedBefore: taken.droppedBefore) } catch {
                    host.log(.warning, "frame \(taken.frame.index): \(error)")
                }
            }
        }
    }
}

extension FrameSource {
    var describe: String {
        withUnsafeBytes(of: info.description) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }
}
