#include "face_tracking.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace gaze {
namespace {

constexpr int kPatchSide = 24;            // appearance patch, pixels
constexpr float kMaxSizeChange = 0.35f;   // share of the box side, per frame
constexpr float kMaxShift = 0.5f;         // share of the box side, per frame
constexpr float kMinInsideShare = 0.6f;   // of the box area inside the frame

float overlap(const cv::Rect2f &a, const cv::Rect2f &b) {
    const float inter = (a & b).area();
    const float uni = a.area() + b.area() - inter;
    return uni > 0 ? inter / uni : 0;
}

}  // namespace

FaceTracking::FaceTracking(std::unique_ptr<FaceDetector> detector, const LandmarkModel &landmarks,
                           TrackingSettings settings)
    : detector_(std::move(detector)), landmarks_(landmarks), settings_(settings) {}

void FaceTracking::reset() {
    last_ = TrackedFace{};
    frames_since_detection_ = 0;
    last_index_ = -1;
    has_detected_ = false;
}

TrackedFace FaceTracking::update(const cv::Mat &frame, const cv::Mat &gray, int64_t frame_index) {
    const bool jumped_back = frame_index <= last_index_;
    last_index_ = frame_index;
    const bool due = frames_since_detection_ >= settings_.redetect_interval;
    if (last_.found && !jumped_back && !due) {
        const FaceFrame seed = face_frame_from_landmarks(last_.landmarks);
        TrackedFace tracked = last_;
        tracked.detection_ran = false;
        tracked.landmarks = landmarks_.fit(gray, seed.box, seed.angle);
        tracked.box = face_box_from_landmarks(tracked.landmarks);
        const float similarity = similarity_to_reference(gray, tracked.box);
        if (!looks_lost(last_.box, tracked.box, similarity, gray.size())) {
            tracked.score = detection_score_ * std::clamp(similarity, 0.f, 1.f);
            ++frames_since_detection_;
            last_ = tracked;
            return tracked;
        }
    }
    if (!last_.found && has_detected_ && !jumped_back && frames_since_detection_ < settings_.empty_retry_interval) {
        ++frames_since_detection_;
        TrackedFace nothing = last_;
        nothing.detection_ran = false;
        return nothing;
    }
    last_ = detect(frame, gray);
    return last_;
}

TrackedFace FaceTracking::detect(const cv::Mat &frame, const cv::Mat &gray) {
    const std::vector<DetectedFace> faces = detector_->detect(frame);
    frames_since_detection_ = 1;
    has_detected_ = true;
    TrackedFace result;
    result.detection_ran = true;
    result.face_count = static_cast<int>(faces.size());
    if (faces.empty()) return result;

    // Keep following the face we tracked if it is still there; else take
    // the largest (the one nearest the camera).
    const DetectedFace *chosen = &faces.front();
    if (last_.found) {
        float best = 0.3f;
        for (const auto &f : faces) {
            const float o = overlap(detector_->landmark_box(f.box), last_.box);
            if (o > best) { best = o; chosen = &f; }
        }
    }
    // Fit twice: the second fit starts from the box of the first, turned
    // with its eye line, which removes what differs between the detector's
    // framing and dlib's, and the face's roll.
    Landmarks first = landmarks_.fit(gray, detector_->landmark_box(chosen->box));
    const FaceFrame seed = face_frame_from_landmarks(first);
    result.landmarks = landmarks_.fit(gray, seed.box, seed.angle);
    result.box = face_box_from_landmarks(result.landmarks);
    result.found = true;
    result.score = chosen->score;
    detection_score_ = chosen->score;
    remember_appearance(gray, result.box);
    return result;
}

bool FaceTracking::looks_lost(const cv::Rect2f &previous, const cv::Rect2f &now, float similarity,
                              cv::Size frame) const {
    const float side = std::max(previous.width, 1.f);
    if (std::abs(now.width - previous.width) > kMaxSizeChange * side) return true;
    const cv::Point2f shift = (now.tl() + now.br()) * 0.5f - (previous.tl() + previous.br()) * 0.5f;
    if (std::hypot(shift.x, shift.y) > kMaxShift * side) return true;
    const cv::Rect2f inside = now & cv::Rect2f(0, 0, static_cast<float>(frame.width), static_cast<float>(frame.height));
    if (inside.area() < kMinInsideShare * now.area()) return true;
    return similarity < settings_.lost_similarity;
}

void FaceTracking::remember_appearance(const cv::Mat &gray, const cv::Rect2f &box) {
    const cv::Rect clipped = cv::Rect(box) & cv::Rect(0, 0, gray.cols, gray.rows);
    if (clipped.area() <= 0) { reference_patch_.release(); return; }
    cv::resize(gray(clipped), reference_patch_, cv::Size(kPatchSide, kPatchSide), 0, 0, cv::INTER_AREA);
}

float FaceTracking::similarity_to_reference(const cv::Mat &gray, const cv::Rect2f &box) {
    const cv::Rect clipped = cv::Rect(box) & cv::Rect(0, 0, gray.cols, gray.rows);
    if (reference_patch_.empty() || clipped.area() <= 0) return 0;
    cv::resize(gray(clipped), patch_, cv::Size(kPatchSide, kPatchSide), 0, 0, cv::INTER_AREA);
    cv::matchTemplate(patch_, reference_patch_, score_, cv::TM_CCOEFF_NORMED);
    return score_.at<float>(0, 0);
}

}  // namespace gaze
