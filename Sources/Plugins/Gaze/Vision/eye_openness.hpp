// Eye openness and blinks. Openness is the eye aspect ratio of
// Soukupova & Cech (2016): mean lid distance over eye width, from the six
// contour landmarks. A blink is not a fixed threshold: each eye keeps the
// median of its openness over its last open frames (about 1.5 s), since
// eyes differ between people and the ratio changes with head pose and
// expression, and counts as closed when openness falls below a share of
// that baseline. Closed frames do not enter the window, so a long closure
// does not teach the baseline that shut is normal.
//
// That alone never learns eyes narrower than the threshold it starts from
// (0.6 x a typical 0.28): such a person would read "closed" for good. The
// second cue is the iris: a shut lid shows skin, where the pupil locator
// finds no clear dark circle (quality ~0.04 on the evaluation clip's shut
// frames, ~0.33 on its open ones). When an eye reads closed yet shows a
// clear iris on every frame for a second and a half, those frames become
// its open level. Real closures do not show an iris that long (the longest
// such run among the evaluation clip's 174 shut frames is 6 frames).
#pragma once

#include "pupil_locator.hpp"

#include <array>

namespace gaze {

float eye_aspect_ratio(const EyeContour &eye);

class BlinkDetector {
public:
    explicit BlinkDetector(float closed_share) : closed_share_(closed_share) {}

    // Feeds one frame's openness and the pupil locator's quality for the
    // eye (0 when it was not searched); returns true while the eye is closed.
    bool update(float openness, float iris_quality = 0);
    void reset() { count_ = 0; next_ = 0; closed_ = false; clear_run_ = 0; floor_ = kLowestBaseline; }
    float baseline() const;

    static constexpr float kTypicalOpenRatio = 0.28f;  // the baseline before any open frame
    static constexpr float kLowestBaseline = 0.18f;     // its floor, unless the iris taught a lower one
    static constexpr float kClearIris = 0.25f;          // pupil quality that shows an iris
    static constexpr int kAdoptFrames = 36;             // 1.5 s at 24 frames/s, 1.2 s at 30

private:
    static constexpr int kWindow = 45;
    void remember(float openness);
    float closed_share_;
    std::array<float, kWindow> open_values_{};
    std::array<float, kAdoptFrames> clear_values_{};
    int count_ = 0, next_ = 0, clear_run_ = 0;
    float floor_ = kLowestBaseline;
    bool closed_ = false;
};

}  // namespace gaze
