/// Both eyes shut, told apart by how long: a blink is a short closure,
/// reported when the eyes reopen; a closure that lasts `closedMinimum` or
/// longer is not a blink but `gaze.eyes_closed`, started as soon as it has
/// lasted that long (with the frame and time it began) and ended, with its
/// duration, when the eyes reopen. A closure shorter than `blinkMinimum`
/// (0 by default) is dropped as landmark flicker.
///
/// The durations are measured from the first closed frame to the first open
/// one, so at 30 frames/s they come in steps of 33 ms, and a real blink of
/// 80-150 ms is often caught shut in one or two frames only (42-83 ms at 24
/// frames/s): that is why the default keeps even one-frame closures.
struct EyeClosureDetector {
    enum Event: Equatable {
        case blink(startFrame: Int64, durationMilliseconds: Double)
        case closedStarted(startFrame: Int64, at: Double)
        case closedEnded(startFrame: Int64, at: Double, durationMilliseconds: Double)
    }

    private enum State: Equatable {
        case open
        case closing(frame: Int64, since: Double)  // shut, not yet long enough to be a closure
        case closed(frame: Int64, since: Double)   // a reported closure
    }

    let blinkMinimum: Double
    let closedMinimum: Double
    private var state = State.open

    init(blinkMinimumMilliseconds: Double = 0, closedMinimumMilliseconds: Double = 400) {
        blinkMinimum = blinkMinimumMilliseconds
        closedMinimum = max(blinkMinimumMilliseconds, closedMinimumMilliseconds)
    }

    /// `closed` is true when both eyes are shut in this frame; `time` in milliseconds.
    mutating func observe(closed: Bool, frame: Int64, time: Double) -> Event? {
        switch (state, closed) {
        case (.open, false), (.closed, true):
            return nil
        case (.open, true):
            state = .closing(frame: frame, since: time)
            return nil
        case (.closing(let first, let since), true):
            guard time - since >= closedMinimum else { return nil }
            state = .closed(frame: first, since: since)
            return .closedStarted(startFrame: first, at: since)
        case (.closing(let first, let since), false):
            state = .open
            let duration = time - since
            return duration >= blinkMinimum ? .blink(startFrame: first, durationMilliseconds: duration) : nil
        case (.closed(let first, let since), false):
            state = .open
            return .closedEnded(startFrame: first, at: time, durationMilliseconds: time - since)
        }
    }

    var isClosed: Bool { state != .open }
}
