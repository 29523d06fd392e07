// Reflections on spectacles around the eyes: found, told apart from a
// sclera that clips to white, and taken out of the image the landmark
// model sees.
//
// A reflection is clipped and brighter than what surrounds it, and so is a
// sclera in a bright room; what differs is the extent: light reflected by a
// lens lies over the lids and the skin around the eye as well as the eye,
// while a sclera stays inside the lids. So a highlight (a clipped pixel
// standing out of a grey opening wider than a reflection is thick: a white
// top-hat) belongs to a reflection when its connected piece reaches past
// the eye opening grown by a rim. Where much of the area clips without
// standing out (an overexposed face) no reflection is told from the rest.
//
// Why: dlib's trees read the lids from pixel differences, and a reflection
// over a shut eye lifts them so the contour opens (under the evaluation
// set's glare 4 % of the shut frames read shut, and the contour centre of a
// face the set had at 100 % fell to 7 % within 0.05); the gradient pupils
// lock onto the reflection's edges with a confident peak. The landmarks are
// fitted on a copy with the reflections inpainted (Telea); the pupils are
// searched on the frame as it is, with a confidence lowered by the share of
// the eye the reflection covers.
#pragma once

#include "pupil_locator.hpp"

#include <opencv2/core.hpp>

#include <array>
#include <vector>

namespace gaze {

class LensReflections {
public:
    // `gray` itself, or a copy with the reflections around these eyes
    // inpainted (valid until the next call). A frame without clipped pixels
    // near the eyes costs one max per eye.
    const cv::Mat &repair(const cv::Mat &gray, const std::array<EyeContour, 2> &eyes);

    // Share of the eye's opening that reflections cover, 0..1.
    float covered_share(const cv::Mat &gray, const EyeContour &eye);

private:
    // Finds the reflections around one eye, with their blurred edge, into
    // `fringe_` (over `roi_`); false if there are none. `opening_` holds the
    // eye opening, `opening_pixels_` its size.
    bool find(const cv::Mat &gray, const EyeContour &eye);

    cv::Rect roi_;
    cv::Mat opening_, grown_, opened_, highlight_, clipped_, labels_, spilling_, fringe_, repaired_, inpainted_;
    std::vector<int> inside_, beyond_;
    int opening_pixels_ = 0;
};

}  // namespace gaze
