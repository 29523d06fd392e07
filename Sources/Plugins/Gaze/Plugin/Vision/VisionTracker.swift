import GazeVision

/// The native tracker, owned by one thread at a time (the C API's rule).
final class VisionTracker {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private let handle: OpaquePointer
    private var result = gaze_result()

    init(landmarkModel: String, landmarkCache: String? = nil, faceDetectorModel: String?, faceCascade: String?, mirrored: Bool,
         redetectInterval: Int) throws {
        var options = gaze_tracker_options()
        gaze_tracker_options_init(&options)
        options.mirrored = mirrored ? 1 : 0
        options.redetect_interval = Int32(redetectInterval)
        var error = gaze_error()
        gaze_error_init(&error)
        var tracker: OpaquePointer?
        let status = landmarkModel.withCString { landmark in
            (landmarkCache ?? "").withCString { cache in
                (faceDetectorModel ?? "").withCString { detector in
                    (faceCascade ?? "").withCString { cascade in
                        options.landmark_model_path = landmark
                        options.landmark_cache_dir = landmarkCache == nil ? nil : cache
                        options.face_detector_model_path = faceDetectorModel == nil ? nil : detector
                        options.face_cascade_path = faceCascade == nil ? nil : cascade
                        return gaze_tracker_create(&options, &tracker, &error)
                    }
                }
            }
        }
        guard status == GAZE_OK, let tracker else { throw Failure(description: error.text) }
        handle = tracker
        result.struct_size = UInt32(MemoryLayout<gaze_result>.size)
    }

    /// Processes one frame; the result is valid until the next call.
    func process(_ frame: Frame) throws -> gaze_result {
        var error = gaze_error()
        gaze_error_init(&error)
        var image = gaze_image(
            struct_size: UInt32(MemoryLayout<gaze_image>.size), pixel_format: UInt32(frame.format),
            width: frame.width, height: frame.height, stride: frame.stride, data: nil)
        let status = frame.pixels.withUnsafeBufferPointer { pixels in
            image.data = pixels.baseAddress
            return gaze_tracker_process(handle, &image, frame.index, &result, &error)
        }
        guard status == GAZE_OK else { throw Failure(description: error.text) }
        return result
    }

    func reset() { gaze_tracker_reset(handle) }

    deinit { gaze_tracker_destroy(handle) }
}

extension gaze_error {
    /// The message the library wrote, or its status name.
    var text: String {
        let message = withUnsafeBytes(of: self.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return message.isEmpty ? String(cString: gaze_status_name(status)) : message
    }
}
