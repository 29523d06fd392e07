// Helpers both face detectors share: scaling a frame down before
// detection and keeping one box per face.
#include "face_detector.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>

namespace gaze {

float downscale_for_detection(const cv::Mat &frame, int working_width, cv::Mat &scaled) {
    if (working_width <= 0 || frame.cols <= working_width) {
        scaled = frame;
        return 1.0f;
    }
    drop_borrowed(scaled);  // it may still be last frame's caller buffer
    const float scale = static_cast<float>(frame.cols) / static_cast<float>(working_width);
    const int height = std::max(1, static_cast<int>(frame.rows / scale + 0.5f));
    cv::resize(frame, scaled, cv::Size(working_width, height), 0, 0, cv::INTER_AREA);
    return scale;
}

std::vector<DetectedFace> suppress_overlaps(std::vector<DetectedFace> faces, float max_overlap) {
    std::sort(faces.begin(), faces.end(), [](const auto &a, const auto &b) { return a.score > b.score; });
    std::vector<DetectedFace> kept;
    for (const auto &face : faces) {
        bool overlaps = false;
        for (const auto &k : kept) {
            const float inter = (face.box & k.box).area();
            if (inter / (face.box.area() + k.box.area() - inter) > max_overlap) { overlaps = true; break; }
        }
        if (!overlaps) kept.push_back(face);
    }
    std::sort(kept.begin(), kept.end(), [](const auto &a, const auto &b) { return a.box.area() > b.box.area(); });
    return kept;
}

}  // namespace gaze
