import Foundation
@testable import Gaze
import Testing

/// The mapping from eye and head features to the screen, on synthetic
/// features from a known model, with noise and head movement.
@Suite struct CalibrationFitTests {
    /// A made-up but plausible truth: the eyes move the gaze most, the head
    /// turning moves it the same way, moving sideways shifts it.
    static func screenPoint(_ f: GazeFeatures) -> (x: Double, y: Double) {
        (960 + 2400 * (f.horizontal - 0.5) + 18 * f.yaw - 300 * (f.faceX - 0.5) + 900 * (f.horizontal - 0.5) * (f.horizontal - 0.5),
         540 + 3000 * f.vertical - 16 * f.pitch + 200 * (f.faceY - 0.5))
    }

    /// Features that produce the point (x, y) for a head at `yaw`, `pitch`,
    /// `faceX`, solved back from the model above.
    static func features(lookingAt x: Double, _ y: Double, yaw: Double, pitch: Double, faceX: Double, noise: Double,
                         using rng: inout some RandomNumberGenerator) -> GazeFeatures {
        let faceY = 0.5
        // Solve the quadratic in h for x, then v for y.
        let c = 960 + 18 * yaw - 300 * (faceX - 0.5) - x
        let d = (-2400 + (2400 * 2400 - 4 * 900 * c).squareRoot()) / (2 * 900)
        let v = (y - 540 + 16 * pitch - 200 * (faceY - 0.5)) / 3000
        func jitter() -> Double { Double.random(in: -noise...noise, using: &rng) }
        return GazeFeatures(horizontal: 0.5 + d + jitter(), vertical: v + jitter(), yaw: yaw, pitch: pitch, roll: 0,
                            faceX: faceX, faceY: faceY, faceScale: 0.3)
    }

    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state
        }
    }

    func run(noise: Double, headMovement: Double) throws -> CalibrationSession.Accuracy {
        var rng = SeededGenerator(state: 42)
        var session = CalibrationSession(settleMilliseconds: 0, collectMilliseconds: 100)
        let targets = session.start(screen: .init(width: 1920, height: 1080, widthMillimetres: 520, distanceMillimetres: 600))
        var now = 0.0
        for target in targets {
            _ = try session.collect(target.index, now: now)
            for _ in 0..<20 {
                now += 5
                // The head moves while the person looks at the dot.
                let yaw = Double.random(in: -headMovement...headMovement, using: &rng)
                let pitch = Double.random(in: -headMovement...headMovement, using: &rng)
                let faceX = 0.5 + Double.random(in: -headMovement...headMovement, using: &rng) / 100
                let f = Self.features(lookingAt: target.x, target.y, yaw: yaw, pitch: pitch, faceX: faceX, noise: noise, using: &rng)
                _ = session.observe(f, now: now)
            }
            now += 10
            #expect(session.observe(nil, now: now)?.index == target.index)
        }
        _ = try session.fit()
        return try session.validate()
    }

    @Test func aNoiselessModelIsRecoveredOnPointsTheFitNeverSaw() throws {
        let accuracy = try run(noise: 0, headMovement: 0)
        #expect(accuracy.meanPixels < 5, "\(accuracy.meanPixels) px")
        #expect(accuracy.perTarget.count == 4)
    }

    @Test func noiseCostsLittleBecauseSamplesAverage() throws {
        let accuracy = try run(noise: 0.01, headMovement: 0)
        #expect(accuracy.meanPixels < 30, "\(accuracy.meanPixels) px")
        #expect(accuracy.meanDegrees < 1.5, "\(accuracy.meanDegrees)°")
    }

    @Test func headMovementIsCompensated() throws {
        let accuracy = try run(noise: 0.005, headMovement: 8)
        #expect(accuracy.meanPixels < 40, "\(accuracy.meanPixels) px with the head moving")
        // The check above means something only if the head moves the gaze a lot in this synthetic model:
        let eyesOnly = GazeFeatures(horizontal: 0.5, vertical: 0, yaw: 8, pitch: 0, roll: 0, faceX: 0.5, faceY: 0.5, faceScale: 0.3)
        #expect(abs(Self.screenPoint(eyesOnly).x - 960) > 100, "the head alone moves the gaze a lot in this model")
    }

    @Test func theProtocolRefusesStepsOutOfOrder() throws {
        var session = CalibrationSession()
        #expect(throws: CalibrationSession.Failure.notStarted) { try session.collect(0, now: 0) }
        _ = session.start(screen: .init(width: 1000, height: 800))
        #expect(throws: CalibrationSession.Failure.unknownTarget(99)) { try session.collect(99, now: 0) }
        _ = try session.collect(0, now: 0)
        #expect(throws: CalibrationSession.Failure.busy(0)) { try session.collect(1, now: 1) }
        #expect(throws: CalibrationSession.Failure.notEnoughTargets(role: "fitting", have: 0, need: 5)) { try session.fit() }
        #expect(throws: CalibrationSession.Failure.notFitted) { try session.validate() }
        #expect(session.targets.filter { $0.role == .validate }.count == 4)
        #expect(Set(session.targets.filter { $0.role == .fit }.map { "\($0.x),\($0.y)" })
            .isDisjoint(with: Set(session.targets.filter { $0.role == .validate }.map { "\($0.x),\($0.y)" })), "validation targets are new points")
    }

    @Test func degreesFollowTheScreenAndTheDistance() {
        let screen = CalibrationSession.Screen(width: 1920, height: 1080, widthMillimetres: 520, distanceMillimetres: 600)
        // 100 px of a 520 mm wide 1920 px screen is 27.1 mm; at 600 mm that is 2.59°.
        #expect(abs(screen.degrees(100) - 2.585) < 0.01)
    }
}
