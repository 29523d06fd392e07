import AudioPulse

/// The sound server as libpulse's threaded main loop sees it: one connection,
/// kept up across restarts of the server, that hands every finding to
/// `handle` on the loop's own thread (see audio_pulse.h).
final class SoundServer: @unchecked Sendable {
    private let pulse: OpaquePointer
    private let handle: (UnsafePointer<audio_pulse_event_t>) -> Void
    private var running = false

    init(server: String, reconnectMaxMs: Int, handle: @escaping (UnsafePointer<audio_pulse_event_t>) -> Void) throws {
        self.handle = handle
        // The context pointer is filled in below: the callback cannot capture.
        guard let made = audio_pulse_new(server, "proctord", UInt32(reconnectMaxMs), { event, context in
            Unmanaged<SoundServer>.fromOpaque(context!).takeUnretainedValue().handle(event!)
        }, nil) else { throw SoundServerError("libpulse could not make a main loop") }
        pulse = made
        audio_pulse_set_context(pulse, Unmanaged.passUnretained(self).toOpaque())
    }

    func start() throws {
        guard audio_pulse_start(pulse) == 0 else { throw SoundServerError("libpulse's main loop did not start") }
        running = true
    }

    /// Returns once the loop's thread has ended: no handler runs after it.
    func stop() {
        guard running else { return }
        audio_pulse_stop(pulse)
        running = false
    }

    /// Records from `source` (nil: stop; "": the server's default source).
    func record(from source: String?) { audio_pulse_record(pulse, source) }

    deinit {
        stop()
        audio_pulse_free(pulse)
    }
}

struct SoundServerError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension audio_pulse_event_t {
    /// A C string field as a Swift string; nil for NULL.
    static func string(_ pointer: UnsafePointer<CChar>?) -> String? { pointer.map { String(cString: $0) } }
}
