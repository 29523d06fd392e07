// The per-frame pipeline behind gaze_tracker_process(): face tracking,
// landmarks, head pose, eye openness and blinks, pupils, gaze ratios, all
// assembled into a gaze_result.
#pragma once

#include "eye_openness.hpp"
#include "face_tracking.hpp"
#include "lens_reflections.hpp"
#include "gaze_vision.h"
#include "head_pose.hpp"
#include "pupil_locator.hpp"

#include <memory>
#include <string>

namespace gaze {

struct TrackerSettings {
    std::string landmark_model_path;
    std::string landmark_cache_dir;         // empty = the compact model in memory
    std::string face_detector_model_path;   // YuNet ONNX; empty = cascade
    std::string face_cascade_path;
    DetectorSettings detector;
    TrackingSettings tracking;
    bool mirrored = false;
    float closed_share = 0.6f;
    bool pupil_refinement = true;
};

class GazeTracker {
public:
    // Throws VisionError when a model cannot be loaded.
    explicit GazeTracker(const TrackerSettings &settings);

    // Fills every field of `out` (a full-size gaze_result).
    void process(const gaze_image &image, int64_t frame_index, gaze_result &out);
    void reset();

private:
    void describe_eye(const cv::Mat &gray, const EyeContour &contour, BlinkDetector &blinks, bool image_left_eye,
                      gaze_eye &out);

    TrackerSettings settings_;
    LandmarkModel landmark_model_;
    FaceTracking tracking_;
    HeadPoseEstimator head_pose_;
    PupilLocator pupils_;
    LensReflections reflections_;
    std::array<EyeContour, 2> last_eyes_{};  // the last frame's, where reflections are looked for
    bool have_last_eyes_ = false;
    BlinkDetector image_left_blinks_, image_right_blinks_;
    cv::Mat converted_, gray_;
};

// Wraps or converts a caller's image: `frame` becomes 8-bit BGR or gray
// (no copy for those two formats), `gray` its gray version. Throws
// VisionError(GAZE_ERR_INVALID_ARGUMENT) for a malformed description.
void view_image(const gaze_image &image, cv::Mat &frame, cv::Mat &converted, cv::Mat &gray);

}  // namespace gaze
