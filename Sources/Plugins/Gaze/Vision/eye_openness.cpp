#include "eye_openness.hpp"

#include <cmath>

namespace gaze {
namespace {

// Typical open-eye ratio of dlib's landmarks: the baseline's starting value
// and its floor, so a tracker that first sees closed eyes still works.
constexpr float kTypicalOpenRatio = 0.28f;
constexpr float kLowestBaseline = 0.18f;
// Per-frame weights: the baseline rises quickly toward a more open eye
// (about 5 frames) and sinks slowly (about 2 s at 30 fps), so a blink or a
// squint pulls it down little.
constexpr float kRiseWeight = 0.2f;
constexpr float kSinkWeight = 0.015f;
// Leaving "closed" needs a little more than entering it: no flicker.
constexpr float kHysteresis = 0.05f;

}  // namespace

float eye_aspect_ratio(const EyeContour &eye) {
    const float width = static_cast<float>(cv::norm(eye[0] - eye[3]));
    if (width <= 0) return 0;
    const float lids = static_cast<float>(cv::norm(eye[1] - eye[5]) + cv::norm(eye[2] - eye[4]));
    return lids / (2 * width);
}

bool BlinkDetector::update(float openness) {
    if (baseline_ == 0) baseline_ = std::max(kTypicalOpenRatio, openness);
    const bool was_closed = closed_;
    const float share = was_closed ? closed_share_ + kHysteresis : closed_share_;
    closed_ = openness < share * baseline_;
    if (!closed_) {
        const float weight = openness > baseline_ ? kRiseWeight : kSinkWeight;
        baseline_ = std::max(kLowestBaseline, baseline_ + weight * (openness - baseline_));
    }
    return closed_;
}

}  // namespace gaze
