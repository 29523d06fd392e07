import PluginKit
import ProctorJSON

/// The calibration's request protocol (docs/gaze.md): start, collect each
/// target, fit, validate, and status or cancel at any time.
struct CalibrationRequests {
    let engine: GazeEngine

    func handle(method: String, params: JSONValue) throws -> JSONValue {
        let now = Monotonic.milliseconds()
        do {
            return try engine.calibration.withLock { session -> JSONValue in
                // Close a window whose time is up even when no frame came to close it.
                _ = session.observe(nil, now: now)
                switch method {
                case "calibration.start":
                    guard let width = params["screen"]?["width"]?.doubleValue, let height = params["screen"]?["height"]?.doubleValue,
                          width >= 100, height >= 100
                    else { throw PluginRequestError.invalidParams("calibration.start needs {\"screen\": {\"width\", \"height\"}} in CSS pixels") }
                    let screen = CalibrationSession.Screen(
                        width: width, height: height, widthMillimetres: params["screen"]?["width_mm"]?.doubleValue,
                        distanceMillimetres: params["screen"]?["distance_mm"]?.doubleValue ?? 600)
                    _ = session.start(screen: screen, settleMilliseconds: params["settle_ms"]?.doubleValue,
                                      collectMilliseconds: params["collect_ms"]?.doubleValue)
                    return ["run": .number(Double(session.run)), "targets": session.targetsJSON,
                            "settle_ms": .number(session.settleMilliseconds), "collect_ms": .number(session.collectMilliseconds),
                            "min_fit_targets": .number(Double(CalibrationSession.minimumFitTargets))]
                case "calibration.collect":
                    guard let index = params["index"]?.intValue else { throw PluginRequestError.invalidParams("calibration.collect needs an integer \"index\"") }
                    let window = try session.collect(index, now: now)
                    return ["run": .number(Double(session.run)), "index": .number(Double(index)),
                            "starts_in_ms": .number((window.from - now).rounded()),
                            "ends_in_ms": .number((window.until - now).rounded())]
                case "calibration.fit":
                    let fit = try session.fit()
                    return ["training_error_px": .number(fit.trainingErrorPixels.rounded()), "samples": .number(Double(fit.samples))]
                case "calibration.validate":
                    let accuracy = try session.validate()
                    let positions = Dictionary(uniqueKeysWithValues: session.targets.map { ($0.index, $0) })
                    return ["accuracy_px": .number(accuracy.meanPixels.rounded()),
                            "accuracy_deg": .number((accuracy.meanDegrees * 100).rounded() / 100),
                            "targets": .array(accuracy.perTarget.map { result in
                                ["index": .number(Double(result.index)), "x": .number(positions[result.index]?.x ?? 0),
                                 "y": .number(positions[result.index]?.y ?? 0), "error_px": .number(result.errorPixels.rounded())]
                            })]
                case "calibration.cancel":
                    session.cancel()
                    return [:]
                case "calibration.status":
                    return Self.status(session)
                default:
                    throw PluginRequestError.unknownMethod(method)
                }
            }
        } catch let failure as CalibrationSession.Failure {
            throw PluginRequestError(code: failure.code, message: failure.description)
        }
    }

    static func status(_ session: CalibrationSession) -> JSONValue {
        let state: String
        switch session.state {
        case .idle: state = "idle"
        case .waiting: state = "waiting"
        case .collecting: state = "collecting"
        }
        var object: JSONObject = [
            "run": .number(Double(session.run)), "state": .string(state), "fitted": .bool(session.mapping != nil),
            "targets": session.targetsJSON,
            "collected": .object(JSONObject(session.samples.keys.sorted().map { (String($0), JSONValue.number(Double(session.samples[$0]!.count))) })),
        ]
        if let screen = session.screen {
            object["screen"] = ["width": .number(screen.width), "height": .number(screen.height)]
        }
        if let accuracy = session.accuracy {
            object["accuracy_px"] = .number(accuracy.meanPixels.rounded())
            object["accuracy_deg"] = .number((accuracy.meanDegrees * 100).rounded() / 100)
        }
        return .object(object)
    }
}

extension JSONObject {
    init(_ pairs: [(String, JSONValue)]) {
        self.init()
        for (key, value) in pairs { self[key] = value }
    }
}
