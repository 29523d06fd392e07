/// Fixations of the head-and-eye direction before calibration, by
/// dispersion (I-DT) as the gaze plugin finds calibrated ones: directions
/// that stay within `maximumDispersion` degrees (x range + y range) for at
/// least `minimumMilliseconds` are one fixation, reported when it ends.
struct DirectionFixations: Sendable {
    struct Fixation: Equatable {
        var startMs: Int64
        var durationMilliseconds: Double
    }

    var maximumDispersion = 4.0
    var minimumMilliseconds = 100.0
    private var window: [(x: Double, y: Double, t: Int64)] = []
    private var fixating = false

    /// Feed each uncalibrated direction, nil when there is none this frame.
    mutating func observe(_ direction: (x: Double, y: Double)?, at time: Int64) -> Fixation? {
        guard let direction else { return finish() }
        window.append((direction.x, direction.y, time))
        if dispersion > maximumDispersion {
            let ended = fixating ? fixation(window.dropLast()) : nil
            fixating = false
            window = [window.last!]
            return ended
        }
        if !fixating, let first = window.first, Double(time - first.t) >= minimumMilliseconds { fixating = true }
        return nil
    }

    mutating func finish() -> Fixation? {
        defer {
            window.removeAll()
            fixating = false
        }
        return fixating ? fixation(window[...]) : nil
    }

    private var dispersion: Double {
        guard let first = window.first else { return 0 }
        var (minX, maxX, minY, maxY) = (first.x, first.x, first.y, first.y)
        for p in window {
            minX = min(minX, p.x); maxX = max(maxX, p.x)
            minY = min(minY, p.y); maxY = max(maxY, p.y)
        }
        return (maxX - minX) + (maxY - minY)
    }

    private func fixation(_ points: ArraySlice<(x: Double, y: Double, t: Int64)>) -> Fixation? {
        guard let first = points.first, let last = points.last else { return nil }
        return Fixation(startMs: first.t, durationMilliseconds: Double(last.t - first.t))
    }
}
