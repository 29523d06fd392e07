#include "eye_openness.hpp"

#include <algorithm>
#include <cmath>

namespace gaze {
namespace {

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
    if (count_ == 0) return kTypicalOpenRatio;  // dlib's usual open ratio, till this eye is seen open
    std::array<float, kWindow> values = open_values_;
    const auto middle = values.begin() + count_ / 2;
    std::nth_element(values.begin(), middle, values.begin() + count_);
    return std::max(floor_, *middle);  // the floor keeps a tracker that first sees shut eyes working
}

void BlinkDetector::remember(float openness) {
    open_values_[next_] = openness;
    next_ = (next_ + 1) % kWindow;
    count_ = std::min(count_ + 1, kWindow);
}

bool BlinkDetector::update(float openness, float iris_quality) {
    const float share = closed_ ? closed_share_ + kHysteresis : closed_share_;
    closed_ = openness < share * baseline();
    if (!closed_) {
        clear_run_ = 0;
        remember(openness);
        return false;
    }
    // Read closed with an iris in view: count the run; a long one is this
    // person's open eye, narrower than the threshold assumed.
    clear_run_ = iris_quality >= kClearIris ? clear_run_ + 1 : 0;
    if (clear_run_ > 0) clear_values_[(clear_run_ - 1) % kAdoptFrames] = openness;
    if (clear_run_ >= kAdoptFrames) {
        std::array<float, kAdoptFrames> values = clear_values_;
        std::nth_element(values.begin(), values.begin() + kAdoptFrames / 2, values.end());
        floor_ = std::min(floor_, values[kAdoptFrames / 2]);
        count_ = next_ = 0;
        for (float v : clear_values_) remember(v);
        clear_run_ = 0;
        closed_ = openness < closed_share_ * baseline();
    }
    return closed_;
}

}  // namespace gaze
