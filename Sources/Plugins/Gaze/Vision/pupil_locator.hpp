// Pupil centre inside one eye: the gradient method of Timm & Barth (2011),
// "Accurate eye centre localisation by means of gradients", restricted to
// the eye opening that the landmarks outline, with a sub-pixel peak.
#pragma once

#include <opencv2/core.hpp>

#include <array>

namespace gaze {

// The six contour landmarks of one eye in iBUG order: corner, two upper
// lid points, the other corner, two lower lid points.
using EyeContour = std::array<cv::Point2f, 6>;

struct PupilEstimate {
    bool found = false;
    cv::Point2f centre;   // frame pixels
    float quality = 0;    // 0..1 confidence: how far the objective's peak stands out, times how
                          // near the contour centre it lies, times how little of the eye a
                          // lens reflection covers; under 0.35 the centre is blended toward
                          // the contour's point in proportion
};

class PupilLocator {
public:
    // `gray` is the full 8-bit frame; `reflection_share`, the share of the
    // eye opening that a lens reflection covers (LensReflections), lowers the
    // confidence. Reuses its buffers between calls, so one locator belongs
    // to one thread.
    PupilEstimate locate(const cv::Mat &gray, const EyeContour &eye, float reflection_share = 0);

private:
    void collect_gradients(const cv::Mat &mask);
    float objective_at(int x, int y) const;

    struct Gradient { float x, y, gx, gy; };
    cv::Mat crop_, smooth_, grad_x_, grad_y_, magnitude_, mask_, candidates_, objective_;
    std::vector<Gradient> gradients_;
};

}  // namespace gaze
