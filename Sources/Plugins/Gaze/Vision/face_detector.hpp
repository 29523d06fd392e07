// Face detection: finds every face in a frame. Two implementations share
// this interface: YuNet through cv::dnn (default) and an OpenCV cascade
// (fallback when no ONNX model is configured).
#pragma once

#include <opencv2/core.hpp>

#include <memory>
#include <string>
#include <vector>

namespace gaze {

struct DetectedFace {
    cv::Rect2f box;   // full-frame pixels
    float score = 0;  // 0..1
};

class FaceDetector {
public:
    virtual ~FaceDetector() = default;
    // `frame` is 8-bit gray or BGR at full resolution; the detector scales
    // it down itself. Faces come back sorted by area, largest first.
    virtual std::vector<DetectedFace> detect(const cv::Mat &frame) = 0;
    // The box to start the landmark fit from: each detector frames faces
    // its own way, the landmark model expects dlib's framing.
    virtual cv::Rect2f landmark_box(const cv::Rect2f &box) const { return box; }
};

struct DetectorSettings {
    int working_width = 320;     // frames are scaled to this width first
    float score_threshold = 0.6f;
};

// Both throw VisionError(GAZE_ERR_MODEL) when the model cannot be loaded.
std::unique_ptr<FaceDetector> make_yunet_detector(const std::string &onnx_path, DetectorSettings settings);
std::unique_ptr<FaceDetector> make_cascade_detector(const std::string &cascade_path, DetectorSettings settings);

// Scales `frame` so its width is at most `working_width`; returns the
// factor from working to full-frame coordinates (>= 1).
float downscale_for_detection(const cv::Mat &frame, int working_width, cv::Mat &scaled);

// Drops `m` when it only borrows another buffer (a header on a caller's
// frame), so the next create() allocates instead of writing into a buffer
// that may be gone: a reused cv::Mat keeps its data pointer when the size
// and type match, even if that data was never its own.
inline void drop_borrowed(cv::Mat &m) {
    if (m.data != nullptr && m.u == nullptr) m.release();
}

// Keeps the best-scoring of overlapping boxes (IoU above `max_overlap`).
std::vector<DetectedFace> suppress_overlaps(std::vector<DetectedFace> faces, float max_overlap);

}  // namespace gaze
