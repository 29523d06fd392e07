// Which face, where, this frame: detect now and then, track in between.
// Detection is the expensive step, so it runs on the first frame, every
// `redetect_interval` frames, and whenever tracking looks lost. Between
// detections the face is carried by its own landmarks: the box that dlib's
// detector would draw around last frame's landmarks seeds this frame's fit.
// With no face in view there is nothing to track: the detector retries
// every few frames rather than on each one, and the count stays 0 between.
// Tracking counts as lost when the fitted box jumps or shrinks implausibly,
// leaves the frame, or no longer looks like the face seen at the last
// detection (normalised cross-correlation of a small gray patch).
#pragma once

#include "face_detector.hpp"
#include "landmark_model.hpp"

#include <memory>

namespace gaze {

struct TrackingSettings {
    int redetect_interval = 10;
    int empty_retry_interval = 3;    // frames between detections while no face is in view
    float lost_similarity = 0.55f;   // patch correlation below this = lost
};

struct TrackedFace {
    bool found = false;
    cv::Rect2f box;          // the landmark model's box for this face
    Landmarks landmarks{};
    int face_count = 0;      // faces at the last detection
    bool detection_ran = false;
    float score = 0;         // detector score x appearance similarity, 0..1
};

class FaceTracking {
public:
    FaceTracking(std::unique_ptr<FaceDetector> detector, const LandmarkModel &landmarks, TrackingSettings settings);

    // `frame` is the input in colour or gray, `gray` its gray version.
    TrackedFace update(const cv::Mat &frame, const cv::Mat &gray, int64_t frame_index);
    void reset();

private:
    TrackedFace detect(const cv::Mat &frame, const cv::Mat &gray);
    bool looks_lost(const cv::Rect2f &previous, const cv::Rect2f &now, float similarity, cv::Size frame) const;
    float similarity_to_reference(const cv::Mat &gray, const cv::Rect2f &box);
    void remember_appearance(const cv::Mat &gray, const cv::Rect2f &box);

    std::unique_ptr<FaceDetector> detector_;
    const LandmarkModel &landmarks_;
    TrackingSettings settings_;
    TrackedFace last_;
    int frames_since_detection_ = 0;
    bool has_detected_ = false;
    int64_t last_index_ = -1;
    float detection_score_ = 0;
    cv::Mat reference_patch_, patch_, score_;  // reused between frames
};

}  // namespace gaze
