// Eye openness and blinks. Openness is the eye aspect ratio of
// Soukupova & Cech (2016): mean lid distance over eye width, from the six
// contour landmarks. A blink is not a fixed threshold: each eye keeps a
// slowly adapting baseline of its open value (eyes differ between people,
// and the ratio changes with head pose), and counts as closed when its
// openness falls below a share of that baseline.
#pragma once

#include "pupil_locator.hpp"

namespace gaze {

float eye_aspect_ratio(const EyeContour &eye);

class BlinkDetector {
public:
    explicit BlinkDetector(float closed_share) : closed_share_(closed_share) {}

    // Feeds one frame's openness; returns true while the eye is closed.
    bool update(float openness);
    void reset() { baseline_ = 0; closed_ = false; }
    float baseline() const { return baseline_; }

private:
    float closed_share_;
    float baseline_ = 0;  // 0 = no frame seen yet
    bool closed_ = false;
};

}  // namespace gaze
