/// Which way the subject looks when not at the screen.
enum GazeDirection: String, Sendable {
    case left, right, up, down
}

/// Looking away as a state machine over time: away starts once a direction
/// has held for `minimumAway`, ends once the gaze has been back for
/// `minimumBack`; short glances in either direction change nothing.
///
/// Each event carries a confidence: the mean of the per-frame evidence
/// (0..1, how far beyond the limit and how well seen; GazeEngine) over the
/// frames of the spell that looked that way, so far (started) or in all
/// (ended). A spell that barely crossed the limit, or was read from
/// uncertain pupils, says so. A spell starts only once that mean reaches
/// `minimumConfidence`: a look that hovers at the limit, within what the
/// measurement wobbles by, is no evidence of looking away (it may start
/// later in the same spell, dated from the spell's first frame, if the look
/// goes further).
struct AwayDetector {
    enum Event: Equatable {
        case started(direction: GazeDirection, at: Double, basis: String, confidence: Double)
        case ended(direction: GazeDirection, durationMilliseconds: Double, at: Double, basis: String, confidence: Double)
    }

    private enum State: Equatable {
        case present
        case leaving(GazeDirection, since: Double)
        case away(GazeDirection, since: Double)
        case returning(GazeDirection, awaySince: Double, backSince: Double)
    }

    let minimumAway: Double
    let minimumBack: Double
    let minimumConfidence: Double
    private var state = State.present
    private var evidence = (sum: 0.0, frames: 0)

    init(minimumAwayMilliseconds: Double = 500, minimumBackMilliseconds: Double = 300, minimumConfidence: Double = 0) {
        minimumAway = minimumAwayMilliseconds
        minimumBack = minimumBackMilliseconds
        self.minimumConfidence = minimumConfidence
    }

    /// Feed the direction seen in each frame (nil: at the screen) and its
    /// time in milliseconds; `basis` says what the direction was read from,
    /// `evidence` (0..1) how sure this frame is of it.
    mutating func observe(_ direction: GazeDirection?, at time: Double, basis: String, evidence frameEvidence: Double = 1) -> [Event] {
        let frameEvidence = min(1, max(0, frameEvidence))
        switch (state, direction) {
        case (.present, nil):
            return []
        case (.present, let d?):
            state = .leaving(d, since: time)
            evidence = (frameEvidence, 1)
            return []
        case (.leaving(let d, let since), let seen?) where seen == d:
            add(frameEvidence)
            guard time - since >= minimumAway, confidence >= minimumConfidence else { return [] }
            state = .away(d, since: since)
            return [.started(direction: d, at: since, basis: basis, confidence: confidence)]
        case (.leaving, let seen?):
            state = .leaving(seen, since: time)
            evidence = (frameEvidence, 1)
            return []
        case (.leaving, nil):
            state = .present
            return []
        case (.away(let d, let since), nil):
            state = .returning(d, awaySince: since, backSince: time)
            return []
        case (.away(let d, let since), let seen?):
            guard seen != d else {
                add(frameEvidence)
                return []
            }
            return turn(from: d, since: since, to: seen, at: time, basis: basis, evidence: frameEvidence)
        case (.returning(let d, let awaySince, let backSince), nil):
            guard time - backSince >= minimumBack else { return [] }
            state = .present
            return [.ended(direction: d, durationMilliseconds: backSince - awaySince, at: backSince, basis: basis, confidence: confidence)]
        case (.returning(let d, let awaySince, _), let seen?):
            if seen == d {
                state = .away(d, since: awaySince)
                add(frameEvidence)
                return []
            }
            return turn(from: d, since: awaySince, to: seen, at: time, basis: basis, evidence: frameEvidence)
        }
    }

    /// Turned from one side to another: the first spell ends where the next begins.
    private mutating func turn(from d: GazeDirection, since: Double, to seen: GazeDirection, at time: Double, basis: String,
                               evidence frameEvidence: Double) -> [Event] {
        let ended = Event.ended(direction: d, durationMilliseconds: time - since, at: time, basis: basis, confidence: confidence)
        state = .leaving(seen, since: time)
        evidence = (frameEvidence, 1)
        return [ended]
    }

    private mutating func add(_ frameEvidence: Double) { evidence = (evidence.sum + frameEvidence, evidence.frames + 1) }

    private var confidence: Double { evidence.frames > 0 ? evidence.sum / Double(evidence.frames) : 0 }

    var isAway: Bool {
        switch state {
        case .away, .returning: true
        default: false
        }
    }
}
