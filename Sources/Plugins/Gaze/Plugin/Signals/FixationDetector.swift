/// Fixations from screen points by dispersion (I-DT): points that stay
/// within `maximumDispersion` pixels (x range + y range) for at least
/// `minimumDuration` milliseconds are one fixation, reported when it ends.
struct FixationDetector {
    struct Fixation: Equatable {
        var x: Double
        var y: Double
        var start: Double
        var durationMilliseconds: Double
        var samples: Int
    }

    let maximumDispersion: Double
    let minimumDuration: Double
    private var window: [(x: Double, y: Double, t: Double)] = []
    private var fixating = false

    init(maximumDispersion: Double = 80, minimumDurationMilliseconds: Double = 100) {
        self.maximumDispersion = maximumDispersion
        self.minimumDuration = minimumDurationMilliseconds
    }

    /// Feed each calibrated screen point (nil when there is none this frame).
    mutating func observe(_ point: (x: Double, y: Double)?, at time: Double) -> Fixation? {
        guard let point else { return finish() }
        window.append((point.x, point.y, time))
        if dispersion(window) > maximumDispersion {
            let ended = fixating ? fixation(Array(window.dropLast())) : nil
            fixating = false
            // Start again from the newest point; drop older points that no longer fit it.
            window = [window.last!]
            return ended
        }
        if !fixating, let first = window.first, time - first.t >= minimumDuration { fixating = true }
        return nil
    }

    /// Ends a fixation in progress (the gaze left the screen, the face was lost).
    mutating func finish() -> Fixation? {
        defer {
            window.removeAll()
            fixating = false
        }
        return fixating ? fixation(window) : nil
    }

    private func dispersion(_ points: [(x: Double, y: Double, t: Double)]) -> Double {
        guard let first = points.first else { return 0 }
        var (minX, maxX, minY, maxY) = (first.x, first.x, first.y, first.y)
        for p in points {
            minX = min(minX, p.x); maxX = max(maxX, p.x)
            minY = min(minY, p.y); maxY = max(maxY, p.y)
        }
        return (maxX - minX) + (maxY - minY)
    }

    private func fixation(_ points: [(x: Double, y: Double, t: Double)]) -> Fixation? {
        guard let first = points.first, let last = points.last else { return nil }
        let n = Double(points.count)
        return Fixation(
            x: points.reduce(0) { $0 + $1.x } / n, y: points.reduce(0) { $0 + $1.y } / n, start: first.t,
            durationMilliseconds: last.t - first.t, samples: points.count)
    }
}
