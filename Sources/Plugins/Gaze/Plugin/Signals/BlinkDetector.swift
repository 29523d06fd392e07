/// A blink is both eyes closed, then open again: reported when they reopen,
/// with how long they were shut.
struct BlinkDetector {
    struct Blink: Equatable {
        var startFrame: Int64
        var durationMilliseconds: Double
    }

    private var closedSince: (frame: Int64, time: Double)?

    /// `closed` is true when both eyes are shut in this frame.
    mutating func observe(closed: Bool, frame: Int64, time: Double) -> Blink? {
        switch (closed, closedSince) {
        case (true, nil):
            closedSince = (frame, time)
            return nil
        case (false, let since?):
            closedSince = nil
            return Blink(startFrame: since.frame, durationMilliseconds: time - since.time)
        default:
            return nil
        }
    }

    var isClosed: Bool { closedSince != nil }
}
