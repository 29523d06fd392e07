import PluginKit
import GazeVision
import ProctorJSON

/// The V4L2 cameras on this machine, for the page's device picker.
enum CameraList {
    static func json() throws -> JSONValue {
        var list: OpaquePointer?
        var error = gaze_error()
        gaze_error_init(&error)
        guard gaze_camera_list_create(&list, &error) == GAZE_OK, let list else {
            throw PluginError("cannot list cameras: \(error.text)")
        }
        defer { gaze_camera_list_destroy(list) }
        var cameras: [JSONValue] = []
        for index in 0..<gaze_camera_list_count(list) {
            var info = gaze_camera_info()
            info.struct_size = UInt32(MemoryLayout<gaze_camera_info>.size)
            guard gaze_camera_list_get(list, index, &info, nil) == GAZE_OK else { continue }
            var formats: [JSONValue] = []
            for f in 0..<info.format_count {
                var format = gaze_camera_format()
                guard gaze_camera_list_format(list, index, f, &format, nil) == GAZE_OK else { continue }
                formats.append(["format": .string(text(format.fourcc_text)), "width": .number(Double(format.width)),
                                "height": .number(Double(format.height)), "max_fps": .number(Double(format.max_fps))])
            }
            cameras.append(["path": .string(text(info.path)), "name": .string(text(info.name)), "driver": .string(text(info.driver)),
                            "bus": .string(text(info.bus)), "formats": .array(formats)])
        }
        return ["cameras": .array(cameras)]
    }

    /// "The first camera" becomes that camera's path; other sources pass through.
    static func resolve(_ kind: FrameSource.Kind) throws -> FrameSource.Kind {
        guard case .camera("") = kind else { return kind }
        let cameras = try json()["cameras"]?.arrayValue ?? []
        guard let first = cameras.first?["path"]?.stringValue else {
            throw PluginError("no camera: this system has no V4L2 capture device (/dev/video*)")
        }
        return .camera(first)
    }

    private static func text<T>(_ tuple: T) -> String {
        withUnsafeBytes(of: tuple) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }
}
