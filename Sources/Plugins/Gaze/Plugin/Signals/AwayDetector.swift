/// Which way the subject looks when not at the screen.
enum GazeDirection: String, Sendable {
    case left, right, up, down
}

/// Looking away as a state machine over time: away starts once a direction
/// has held for `minimumAway`, ends once the gaze has been back for
/// `minimumBack`; short glances in either direction change nothing.
struct AwayDetector {
    enum Event: Equatable {
        case started(direction: GazeDirection, at: Double, basis: String)
        case ended(direction: GazeDirection, durationMilliseconds: Double, at: Double, basis: String)
    }

    private enum State: Equatable {
        case present
        case leaving(GazeDirection, since: Double)
        case away(GazeDirection, since: Double)
        case returning(GazeDirection, awaySince: Double, backSince: Double)
    }

    let minimumAway: Double
    let minimumBack: Double
    private var state = State.present

    init(minimumAwayMilliseconds: Double = 500, minimumBackMilliseconds: Double = 300) {
        minimumAway = minimumAwayMilliseconds
        minimumBack = minimumBackMilliseconds
    }

    /// Feed the direction seen in each frame (nil: at the screen) and its
    /// time in milliseconds; `basis` says what the direction was read from.
    mutating func observe(_ direction: GazeDirection?, at time: Double, basis: String) -> [Event] {
        switch (state, direction) {
        case (.present, nil):
            return []
        case (.present, let d?):
            state = .leaving(d, since: time)
            return []
        case (.leaving(let d, let since), let seen?) where seen == d:
            guard time - since >= minimumAway else { return [] }
            state = .away(d, since: since)
            return [.started(direction: d, at: since, basis: basis)]
        case (.leaving, let seen?):
            state = .leaving(seen, since: time)
            return []
        case (.leaving, nil):
            state = .present
            return []
        case (.away(let d, let since), nil):
            state = .returning(d, awaySince: since, backSince: time)
            return []
        case (.away(let d, let since), let seen?):
            guard seen != d else { return [] }
            // Turned from one side to another: the first spell ends where the next begins.
            state = .leaving(seen, since: time)
            return [.ended(direction: d, durationMilliseconds: time - since, at: time, basis: basis)]
        case (.returning(let d, let awaySince, let backSince), nil):
            guard time - backSince >= minimumBack else { return [] }
            state = .present
            return [.ended(direction: d, durationMilliseconds: backSince - awaySince, at: backSince, basis: basis)]
        case (.returning(let d, let awaySince, _), let seen?):
            state = seen == d ? .away(d, since: awaySince) : .leaving(seen, since: time)
            return seen == d ? [] : [.ended(direction: d, durationMilliseconds: time - awaySince, at: time, basis: basis)]
        }
    }

    var isAway: Bool {
        switch state {
        case .away, .returning: true
        default: false
        }
    }
}
