/// Notices when the number of faces in view changes and stays changed for a
/// few processed frames, so one missed detection does not raise an event.
struct FaceCountWatcher {
    struct Change: Equatable {
        var count: Int
        var previous: Int?
    }

    let stableFrames: Int
    private(set) var reported: Int?
    private var candidate: Int?
    private var candidateFrames = 0

    init(stableFrames: Int = 3) { self.stableFrames = max(1, stableFrames) }

    /// Feed every processed frame's count; returns a change once it has held.
    mutating func observe(_ count: Int) -> Change? {
        if count == reported {
            candidate = nil
            return nil
        }
        if count == candidate { candidateFrames += 1 } else { (candidate, candidateFrames) = (count, 1) }
        // The first count is reported at once: there is nothing to flicker against.
        guard candidateFrames >= stableFrames || reported == nil else { return nil }
        let change = Change(count: count, previous: reported)
        reported = count
        candidate = nil
        return change
    }
}
