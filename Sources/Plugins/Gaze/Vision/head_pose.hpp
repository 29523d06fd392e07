// Head pose from landmarks: a rigid generic 3-D face (average adult
// proportions, millimetres) fitted with solvePnP to 11 landmarks of the
// rigid upper face (nose, eye corners, brow ends; the mouth and chin move
// with expression and tilted the pitch by ~7 degrees when smiling),
// using a pinhole camera whose focal length is the image width (webcams
// are 55-70 degrees wide; the angles depend little on this guess).
#pragma once

#include "landmark_model.hpp"

namespace gaze {

struct HeadPose {
    bool found = false;
    float yaw = 0, pitch = 0, roll = 0;  // degrees, signs as in gaze_vision.h for unmirrored input
};

class HeadPoseEstimator {
public:
    HeadPose estimate(const Landmarks &points, cv::Size frame_size);
    void reset() { have_previous_ = false; }

private:
    cv::Mat rotation_, translation_;  // the previous solution seeds the next fit
    bool have_previous_ = false;
};

}  // namespace gaze
