import Foundation
import ProctorJSON

/// A calibration as a pure state machine: the page shows target i, the
/// plugin collects features for it during a window of time, then fits on
/// the fitting targets and measures accuracy on the validation targets,
/// which the fit never saw. Time is passed in; frames come from elsewhere.
public struct CalibrationSession: Sendable {
    public struct Screen: Sendable, Equatable {
        public var width: Double
        public var height: Double
        /// Physical width in millimetres and viewing distance, for degrees.
        public var widthMillimetres: Double
        public var distanceMillimetres: Double

        public init(width: Double, height: Double, widthMillimetres: Double? = nil, distanceMillimetres: Double = 600) {
            self.width = width
            self.height = height
            // Without a measured size, assume a common 96 px/inch panel.
            self.widthMillimetres = widthMillimetres ?? width * 25.4 / 96
            self.distanceMillimetres = distanceMillimetres
        }

        /// Degrees of visual angle for `pixels` at the screen's centre.
        func degrees(_ pixels: Double) -> Double {
            atan(pixels * widthMillimetres / width / distanceMillimetres) * 180 / .pi
        }
    }

    public struct Target: Sendable, Equatable {
        public enum Role: String, Sendable { case fit, validate }
        public var index: Int
        public var x: Double
        public var y: Double
        public var role: Role
    }

    public enum State: Sendable, Equatable {
        case idle
        case waiting
        case collecting(index: Int, from: Double, until: Double)
    }

    public struct Accuracy: Sendable, Equatable {
        public var meanPixels: Double
        public var meanDegrees: Double
        public var perTarget: [(index: Int, errorPixels: Double)]

        public static func == (a: Accuracy, b: Accuracy) -> Bool {
            a.meanPixels == b.meanPixels && a.meanDegrees == b.meanDegrees
                && a.perTarget.map(\.index) == b.perTarget.map(\.index) && a.perTarget.map(\.errorPixels) == b.perTarget.map(\.errorPixels)
        }
    }

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case notStarted, unknownTarget(Int), busy(Int), notEnoughTargets(role: String, have: Int, need: Int), notFitted, fit(String)

        /// The error code a page can branch on.
        public var code: String {
            switch self {
            case .notStarted: "not_started"
            case .unknownTarget: "no_such_target"
            case .busy: "busy"
            case .notEnoughTargets: "not_enough_targets"
            case .notFitted: "not_fitted"
            case .fit: "fit_failed"
            }
        }

        public var description: String {
            switch self {
            case .notStarted: "no calibration is running: call calibration.start first"
            case .unknownTarget(let i): "there is no target \(i)"
            case .busy(let i): "still collecting target \(i)"
            case .notEnoughTargets(let role, let have, let need): "\(have) \(role) targets have samples; \(need) are needed"
            case .notFitted: "fit before validating"
            case .fit(let why): why
            }
        }
    }

    public private(set) var settleMilliseconds: Double
    public private(set) var collectMilliseconds: Double
    public private(set) var state = State.idle
    /// Counts calibration runs, so a page can tell this run's events from an earlier one's.
    public private(set) var run = 0
    public static let minimumFitTargets = 5
    public private(set) var screen: Screen?
    public private(set) var targets: [Target] = []
    public private(set) var samples: [Int: [GazeFeatures]] = [:]
    /// The mapping in use; kept across a new calibration until it is refitted.
    public private(set) var mapping: GazeMapping?
    public private(set) var accuracy: Accuracy?

    public init(settleMilliseconds: Double = 400, collectMilliseconds: Double = 800) {
        self.settleMilliseconds = settleMilliseconds
        self.collectMilliseconds = collectMilliseconds
    }

    /// Starts (or restarts) with nine fitting targets on a 3x3 grid and
    /// four validation targets between them.
    public mutating func start(screen: Screen, settleMilliseconds: Double? = nil, collectMilliseconds: Double? = nil) -> [Target] {
        self.screen = screen
        if let settleMilliseconds { self.settleMilliseconds = max(0, min(settleMilliseconds, 5000)) }
        if let collectMilliseconds { self.collectMilliseconds = max(50, min(collectMilliseconds, 10000)) }
        let (w, h) = (screen.width, screen.height)
        let fit = [0.1, 0.5, 0.9].flatMap { fy in [0.1, 0.5, 0.9].map { fx in (fx * w, fy * h) } }
        let validate = [(0.3, 0.3), (0.7, 0.3), (0.3, 0.7), (0.7, 0.7)].map { ($0.0 * w, $0.1 * h) }
        targets = fit.enumerated().map { Target(index: $0.offset, x: $0.element.0, y: $0.element.1, role: .fit) }
            + validate.enumerated().map { Target(index: fit.count + $0.offset, x: $0.element.0, y: $0.element.1, role: .validate) }
        samples = [:]
        accuracy = nil
        state = .waiting
        run += 1
        return targets
    }

    /// The page now shows target `index`: collect after the eyes settle.
    public mutating func collect(_ index: Int, now: Double) throws(Failure) -> (from: Double, until: Double) {
        guard state != .idle else { throw .notStarted }
        if case .collecting(let current, _, _) = state { throw .busy(current) }
        guard targets.indices.contains(index) else { throw .unknownTarget(index) }
        let window = (now + settleMilliseconds, now + settleMilliseconds + collectMilliseconds)
        samples[index] = []
        state = .collecting(index: index, from: window.0, until: window.1)
        return window
    }

    /// Feeds one frame's features (or none, to let time pass); returns the
    /// target whose window just closed.
    public mutating func observe(_ features: GazeFeatures?, now: Double) -> (index: Int, samples: Int)? {
        guard case .collecting(let index, let from, let until) = state else { return nil }
        if now > until {
            state = .waiting
            return (index, samples[index]?.count ?? 0)
        }
        if now >= from, let features { samples[index, default: []].append(features) }
        return nil
    }

    public mutating func fit() throws(Failure) -> (trainingErrorPixels: Double, samples: Int) {
        guard state != .idle else { throw .notStarted }
        let pairs = pairs(for: .fit)
        let covered = Set(pairs.map(\.1.index)).count
        guard covered >= Self.minimumFitTargets else {
            throw .notEnoughTargets(role: "fitting", have: covered, need: Self.minimumFitTargets)
        }
        let fitted: GazeMapping
        do { fitted = try GazeMapping.fit(pairs.map { ($0.0, $0.1.x, $0.1.y) }) } catch { throw .fit("\(error)") }
        mapping = fitted
        return (Self.meanError(pairs, fitted).pixels, pairs.count)
    }

    public mutating func validate() throws(Failure) -> Accuracy {
        guard let screen, state != .idle else { throw .notStarted }
        guard let mapping else { throw .notFitted }
        let byTarget = Dictionary(grouping: pairs(for: .validate), by: { $0.1.index })
        guard !byTarget.isEmpty else { throw .notEnoughTargets(role: "validation", have: 0, need: 1) }
        let perTarget = byTarget.keys.sorted().map { index in
            (index: index, errorPixels: Self.meanError(byTarget[index]!, mapping).pixels)
        }
        let mean = perTarget.reduce(0) { $0 + $1.errorPixels } / Double(perTarget.count)
        let result = Accuracy(meanPixels: mean, meanDegrees: screen.degrees(mean), perTarget: perTarget)
        accuracy = result
        return result
    }

    public mutating func cancel() {
        state = .idle
        targets = []
        samples = [:]
    }

    private func pairs(for role: Target.Role) -> [(GazeFeatures, Target)] {
        targets.filter { $0.role == role }.flatMap { target in (samples[target.index] ?? []).map { ($0, target) } }
    }

    /// The distance between the target and the mean predicted point, per
    /// target, averaged: what a person sees as the dot's offset.
    private static func meanError(_ pairs: [(GazeFeatures, Target)], _ mapping: GazeMapping) -> (pixels: Double, targets: Int) {
        let byTarget = Dictionary(grouping: pairs, by: { $0.1.index })
        let errors = byTarget.values.map { group -> Double in
            let predicted = group.map { mapping.predict($0.0) }
            let mx = predicted.reduce(0) { $0 + $1.x } / Double(predicted.count)
            let my = predicted.reduce(0) { $0 + $1.y } / Double(predicted.count)
            let target = group[0].1
            return ((mx - target.x) * (mx - target.x) + (my - target.y) * (my - target.y)).squareRoot()
        }
        return (errors.reduce(0, +) / Double(max(1, errors.count)), errors.count)
    }

    public var targetsJSON: JSONValue {
        .array(targets.map { ["index": .number(Double($0.index)), "x": .number($0.x), "y": .number($0.y), "role": .string($0.role.rawValue)] })
    }
}
