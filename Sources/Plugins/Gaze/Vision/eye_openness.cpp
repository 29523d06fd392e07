#include "eye_openness.hpp"

#include <algorithm>
#include <cmath>

namespace gaze {
namespace {

// Typical open-eye ratio of dlib's landmarks: the baseline before any open
// frame was seen, and its floor, so a tracker that first sees closed eyes
// still works.
constexpr float kTypicalOpenRatio = 0.28f;
constexpr float kLowestBaseline = 0.18f;
// Leaving "closed" needs a little more than entering it: no flicker.
constexpr float kHysteresis = 0.05f;

}  // namespace

float eye_aspect_ratio(const EyeContour &eye) {
    const float width = static_cast<float>(cv::norm(eye[0] - eye[3]));
    if (width <= 0) return 0;
    const float lids = static_cast<float>(cv::norm(eye[1] - eye[5]) + cv::norm(eye[2] - eye[4]));
    return lids / (2 * width);
}

float BlinkDetector::baseline() const {
    if (count_ == 0) return kTypicalOpenRatio;
    std::array<float, kWindow> values = open_values_;
    const auto middle = values.begin() + count_ / 2;
    std::nth_element(values.begin(), middle, values.begin() + count_);
    return std::max(kLowestBaseline, *middle);
}

bool BlinkDetector::update(float openness) {
    const float share = closed_ ? closed_share_ + kHysteresis : closed_share_;
    closed_ = openness < share * baseline();
    if (!closed_) {
        open_values_[next_] = openness;
        next_ = (next_ + 1) % kWindow;
        count_ = std::min(count_ + 1, kWindow);
    }
    return closed_;
}

}  // namespace gaze
