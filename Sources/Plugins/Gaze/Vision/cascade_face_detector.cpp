// Fallback face detector: an OpenCV Haar or LBP cascade from Debian's
// opencv-data. Slower than YuNet, but needs no model beyond a Debian
// package.
#include "face_detector.hpp"
#include "vision_error.hpp"

#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

#include <algorithm>

namespace gaze {

namespace {

class CascadeDetector final : public FaceDetector {
public:
    CascadeDetector(const std::string &path, DetectorSettings settings) : settings_(settings) {
        if (path.empty() || !cascade_.load(path))
            throw VisionError(GAZE_ERR_MODEL, "cannot load face cascade '" + path + "'");
    }

    std::vector<DetectedFace> detect(const cv::Mat &frame) override {
        const float scale = downscale_for_detection(frame, settings_.working_width, scaled_);
        drop_borrowed(gray_);
        if (scaled_.channels() == 3) cv::cvtColor(scaled_, gray_, cv::COLOR_BGR2GRAY);
        else gray_ = scaled_;
        cv::equalizeHist(gray_, gray_);
        std::vector<cv::Rect> boxes;
        const int min_side = std::max(16, gray_.cols / 12);
        cascade_.detectMultiScale(gray_, boxes, 1.15, 4, 0, cv::Size(min_side, min_side));
        std::vector<DetectedFace> faces;
        for (const auto &b : boxes)
            faces.push_back({cv::Rect2f(b.x * scale, b.y * scale, b.width * scale, b.height * scale), 1.0f});
        return suppress_overlaps(std::move(faces), 0.3f);
    }

private:
    DetectorSettings settings_;
    cv::CascadeClassifier cascade_;
    cv::Mat scaled_, gray_;
};

}  // namespace

std::unique_ptr<FaceDetector> make_cascade_detector(const std::string &cascade_path, DetectorSettings settings) {
    return std::make_unique<CascadeDetector>(cascade_path, settings);
}

}  // namespace gaze
