// Eye openness and blinks. Openness is the eye aspect ratio of
// Soukupova & Cech (2016): mean lid distance over eye width, from the six
// contour landmarks. A blink is not a fixed threshold: each eye keeps the
// median of its openness over its last open frames (about 1.5 s), since
// eyes differ between people and the ratio changes with head pose and
// expression, and counts as closed when openness falls below a share of
// that baseline. Closed frames do not enter the window, so a long closure
// does not teach the baseline that shut is normal.
#pragma once

#include "pupil_locator.hpp"

#include <array>

namespace gaze {

float eye_aspect_ratio(const EyeContour &eye);

class BlinkDetector {
public:
    explicit BlinkDetector(float closed_share) : closed_share_(closed_share) {}

    // Feeds one frame's openness; returns true while the eye is closed.
    bool update(float openness);
    void reset() { count_ = 0; next_ = 0; closed_ = false; }
    float baseline() const;

private:
    static constexpr int kWindow = 45;
    float closed_share_;
    std::array<float, kWindow> open_values_{};
    int count_ = 0, next_ = 0;
    bool closed_ = false;
};

}  // namespace gaze
