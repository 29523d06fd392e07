import GazeVision
import ProctorJSON

/// `gaze.sample`: what one processed frame showed, in source-image pixels.
enum GazeSample {
    static func json(_ r: gaze_result, frame: Frame, blink: Bool, screen: (x: Double, y: Double)?, dropped: Int64) -> JSONValue {
        let found = r.face_found == 1
        var data: JSONObject = [
            "frame": .number(Double(frame.index)),
            "t_ms": .number(frame.timestampMilliseconds.rounded()),
            "faces": .number(Double(r.face_count)),
        ]
        data["face"] = found ? box(r.face) : .null
        data["pupils"] = ["left": pupil(r.left), "right": pupil(r.right)]
        data["head_pose"] = found && r.head_pose_found == 1
            ? ["yaw": round(r.yaw), "pitch": round(r.pitch), "roll": round(r.roll)] : .null
        data["eyes"] = found ? ["left": eye(r.left), "right": eye(r.right)] : .null
        data["blink"] = .bool(blink)
        data["ratio"] = found && r.horizontal_ratio >= 0 ? ["h": round(r.horizontal_ratio, 3), "v": round(r.vertical_ratio, 3)] : .null
        data["screen"] = screen.map { [.number($0.x.rounded()), .number($0.y.rounded())] } ?? .null
        data["confidence"] = round(r.confidence, 3)
        if dropped > 0 { data["dropped_before"] = .number(Double(dropped)) }
        return .object(data)
    }

    private static func pupil(_ eye: gaze_eye) -> JSONValue {
        eye.pupil_found == 1 ? [round(eye.pupil.x, 2), round(eye.pupil.y, 2)] : .null
    }

    private static func eye(_ eye: gaze_eye) -> JSONValue {
        ["openness": round(eye.openness, 3), "closed": .bool(eye.closed == 1)]
    }

    private static func box(_ b: gaze_box) -> JSONValue {
        [round(b.x, 1), round(b.y, 1), round(b.width, 1), round(b.height, 1)]
    }

    /// Rounded in Double, so 211.7 is written as 211.7, not as the Float's 211.6999969.
    private static func round(_ value: Float, _ places: Int = 1) -> JSONValue {
        let scale = [1.0, 10, 100, 1000][min(places, 3)]
        return .number((Double(value) * scale).rounded() / scale)
    }
}
