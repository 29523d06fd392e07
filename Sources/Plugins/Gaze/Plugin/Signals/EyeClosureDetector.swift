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
///
/// A closure ends once the eyes have stayed open for `reopenMinimum`: lids
/// that rise slowly after a long closure flicker between one eye and both
/// read shut (WolfgangLanger_Pexels.mp4 rolled by +10 degrees: shut frames
/// 2 and 8 frames after the 4.3 s closure, reported as two blinks). A frame
/// with both shut before then continues the closure, one eye still shut
/// holds it open-ended; it is dated from the first frame the eyes were not
/// both shut, and the wait is at most `reopenLimit`.
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
        /// A reported closure whose eyes are no longer both shut since `openedAt`;
        /// both have been open since `bothOpenSince` (nil: one is still shut).
        case reopening(frame: Int64, since: Double, openedAt: Double, bothOpenSince: Double?)
    }

    let blinkMinimum: Double
    let closedMinimum: Double
    let reopenMinimum: Double
    let reopenLimit: Double
    private var state = State.open

    init(blinkMinimumMilliseconds: Double = 0, closedMinimumMilliseconds: Double = 400, reopenMilliseconds: Double = 100) {
        blinkMinimum = blinkMinimumMilliseconds
        closedMinimum = max(blinkMinimumMilliseconds, closedMinimumMilliseconds)
        reopenMinimum = reopenMilliseconds
        reopenLimit = 5 * reopenMilliseconds
    }

    /// `closed` is true when both eyes are shut in this frame, `oneShut` when
    /// only one is; `time` in milliseconds.
    mutating func observe(closed: Bool, oneShut: Bool = false, frame: Int64, time: Double) -> Event? {
        switch (state, closed) {
        case (.open, false), (.closed, true):
            return nil
        case (.reopening(let first, let since, _, _), true):
            state = .closed(frame: first, since: since)
            return nil
        case (.reopening(let first, let since, let openedAt, let bothOpenSince), false):
            let bothOpen = oneShut ? nil : bothOpenSince ?? time
            guard time - (bothOpen ?? .infinity) >= reopenMinimum || time - openedAt >= reopenLimit else {
                state = .reopening(frame: first, since: since, openedAt: openedAt, bothOpenSince: bothOpen)
                return nil
            }
            state = .open
            return .closedEnded(startFrame: first, at: openedAt, durationMilliseconds: openedAt - since)
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
            state = .reopening(frame: first, since: since, openedAt: time, bothOpenSince: oneShut ? nil : time)
            return reopenMinimum > 0 ? nil : observe(closed: false, oneShut: oneShut, frame: frame, time: time)
        }
    }

    /// Both eyes shut now (or a blink or closure under way).
    var isClosed: Bool {
        switch state {
        case .open, .reopening: false
        case .closing, .closed: true
        }
    }
}
