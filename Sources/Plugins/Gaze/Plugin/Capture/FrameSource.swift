import GazeVision

/// A camera, video file or image folder, read through the vision core.
/// Used by one thread at a time.
final class FrameSource {
    enum Kind: Sendable, Equatable {
        case camera(String)   // a /dev/video path or a camera name; "" = the first camera
        case video(String)
        case imageFolder(String)
    }

    enum ReadResult {
        case frame(Frame, droppedByDriver: Int64)
        case endOfStream
    }

    struct Failure: Error, CustomStringConvertible {
        let status: Int32
        let description: String
    }

    private let handle: OpaquePointer
    let info: gaze_source_info

    init(_ kind: Kind, width: Int32 = 0, height: Int32 = 0, fps: Float = 0, flip: Bool = false) throws {
        var options = gaze_source_options()
        gaze_source_options_init(&options)
        options.width = width
        options.height = height
        options.fps = fps
        options.flip_horizontal = flip ? 1 : 0
        options.pixel_format = UInt32(GAZE_PIXEL_BGR24.rawValue)
        var error = gaze_error()
        gaze_error_init(&error)
        var source: OpaquePointer?
        let status: gaze_status
        switch kind {
        case .camera(let name): status = gaze_source_open_camera(name, &options, &source, &error)
        case .video(let path): status = gaze_source_open_video(path, &options, &source, &error)
        case .imageFolder(let path): status = gaze_source_open_image_folder(path, &options, &source, &error)
        }
        guard status == GAZE_OK, let source else { throw Failure(status: status.rawValue, description: error.text) }
        handle = source
        var info = gaze_source_info()
        info.struct_size = UInt32(MemoryLayout<gaze_source_info>.size)
        gaze_source_get_info(source, &info, nil)
        self.info = info
    }

    /// Frames per second the source runs at (0 when unknown).
    var fps: Double { Double(info.fps) }

    func read() throws -> ReadResult {
        var frame = gaze_frame()
        frame.struct_size = UInt32(MemoryLayout<gaze_frame>.size)
        var error = gaze_error()
        gaze_error_init(&error)
        let status = gaze_source_read(handle, &frame, &error)
        if status == GAZE_END_OF_STREAM { return .endOfStream }
        guard status == GAZE_OK, let data = frame.data else { throw Failure(status: status.rawValue, description: error.text) }
        let byteCount = Int(frame.stride) * Int(frame.height)
        let copy = Frame(
            index: frame.index, timestampMilliseconds: Double(frame.timestamp_ns) / 1e6, width: frame.width,
            height: frame.height, stride: frame.stride, format: Int32(frame.pixel_format),
            pixels: Array(UnsafeBufferPointer(start: data, count: byteCount)))
        return .frame(copy, droppedByDriver: Int64(frame.dropped_before))
    }

    deinit { gaze_source_close(handle) }
}
