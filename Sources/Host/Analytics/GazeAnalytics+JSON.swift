import ProctorJSON

/// The analytics as JSON: the report's `gaze` member and the data of
/// `gaze.heatmap` use the same shapes (docs/report.schema.json, docs/topics.json).
extension GazeAnalytics {
    /// The calibrated heatmap's columns; its rows follow the screen's aspect ratio.
    public static let screenColumns = 32
    /// The uncalibrated direction map: degrees right of and below straight ahead.
    public static let directionRange = (x: (-45.0, 45.0), y: (-30.0, 30.0))
    public static let directionCellDegrees = 3.0

    public static let uncalibratedNotice =
        "Not calibrated: this map shows where the head and eyes pointed (head pose plus the pupils' position, in degrees from straight ahead), not where on the screen the person looked."

    /// The screen the calibrated map is drawn on and where its size came from.
    public var screen: (width: Double, height: Double, source: String)? {
        if let monitor { return (monitor.width, monitor.height, "screen.monitors") }
        guard screenExtent.width > 0, screenExtent.height > 0 else { return nil }
        return (screenExtent.width.rounded(.up), screenExtent.height.rounded(.up), "gaze_extent")
    }

    public func json(_ scope: GazeScope) -> JSONValue {
        let end = scope.endMs ?? lastMs
        var out: JSONObject = [
            "name": scope.name.map(JSONValue.string) ?? .null,
            "started_at": .string(Timestamp(millisecondsSinceEpoch: scope.startMs).rfc3339),
            "ended_at": .string(Timestamp(millisecondsSinceEpoch: end).rfc3339),
            "duration_s": seconds(Double(end - scope.startMs)),
            "basis": .string(scope.basis),
        ]
        switch scope.basis {
        case "uncalibrated": out["notice"] = .string(Self.uncalibratedNotice)
        case "calibrated" where scope.calibratedMilliseconds < scope.observedMilliseconds:
            let share = Int((scope.calibratedMilliseconds / scope.observedMilliseconds * 100).rounded())
            out["notice"] = .string("Calibrated for \(share)% of the time a face was seen; the rest is in the uncalibrated direction map.")
        case "none": out["notice"] = "No gaze was recorded."
        default: break
        }
        out["observed_s"] = seconds(scope.observedMilliseconds)
        out["on_screen_s"] = seconds(scope.onScreenMilliseconds)
        out["away_s"] = seconds(scope.awayMilliseconds)
        out["no_face_s"] = seconds(scope.noFaceMilliseconds)
        out["calibrated_s"] = seconds(scope.calibratedMilliseconds)
        out["fixations"] = [
            "count": .number(Double(scope.fixations)), "calibrated": .number(Double(scope.calibratedFixations)),
            "uncalibrated": .number(Double(scope.uncalibratedFixations)),
            "mean_duration_ms": scope.fixations > 0 ? .number((scope.fixationMilliseconds / Double(scope.fixations)).rounded()) : .null,
        ]
        out["saccades"] = ["count": .number(Double(scope.saccades)), "per_minute": rate(scope.perMinute(scope.saccades))]
        out["blinks"] = ["count": .number(Double(scope.blinks)), "per_minute": rate(scope.perMinute(scope.blinks))]
        out["heatmap"] = screenGrid(scope).map { grid, screen in
            var map = Self.gridJSON(grid, basis: "calibrated")
            map["screen"] = ["width": .number(screen.width), "height": .number(screen.height), "source": .string(screen.source)]
            return .object(map)
        } ?? .null
        out["direction_heatmap"] = directionGrid(scope).map { grid in
            var map = Self.gridJSON(grid, basis: "uncalibrated")
            map["x_degrees"] = [.number(Self.directionRange.x.0), .number(Self.directionRange.x.1)]
            map["y_degrees"] = [.number(Self.directionRange.y.0), .number(Self.directionRange.y.1)]
            return .object(map)
        } ?? .null
        return .object(out)
    }

    public func screenGrid(_ scope: GazeScope) -> (HeatmapGrid, (width: Double, height: Double, source: String))? {
        guard scope.screenDwell.totalMilliseconds > 0, let screen else { return nil }
        let rows = max(4, min(64, Int((Double(Self.screenColumns) * screen.height / screen.width).rounded())))
        return (scope.screenDwell.grid(origin: (0, 0), size: (screen.width, screen.height), columns: Self.screenColumns, rows: rows), screen)
    }

    public func directionGrid(_ scope: GazeScope) -> HeatmapGrid? {
        guard scope.directionDwell.totalMilliseconds > 0 else { return nil }
        let (x, y) = Self.directionRange
        return scope.directionDwell.grid(
            origin: (x.0, y.0), size: (x.1 - x.0, y.1 - y.0),
            columns: Int((x.1 - x.0) / Self.directionCellDegrees), rows: Int((y.1 - y.0) / Self.directionCellDegrees))
    }

    static func gridJSON(_ grid: HeatmapGrid, basis: String) -> JSONObject {
        [
            "basis": .string(basis), "columns": .number(Double(grid.columns)), "rows": .number(Double(grid.rows)),
            "cells": .array(grid.cells.map { .number($0.rounded()) }), "outside_ms": .number(grid.outsideMilliseconds.rounded()),
            "peak": grid.peak.map { [.number(Double($0.column)), .number(Double($0.row))] } ?? .null,
        ]
    }

    private func seconds(_ milliseconds: Double) -> JSONValue { .number((milliseconds).rounded() / 1000) }
    private func rate(_ value: Double?) -> JSONValue { value.map { .number(($0 * 100).rounded() / 100) } ?? .null }
}
