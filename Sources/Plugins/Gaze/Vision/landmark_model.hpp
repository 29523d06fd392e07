// Facial landmarks: dlib's 68-point shape predictor model (an ensemble of
// regression trees, Kazemi & Sullivan 2014) evaluated by our own code on
// the gray frame inside a face box. The model file is the caller's choice
// (see gaze_vision.h).
#pragma once

#include <opencv2/core.hpp>

#include <array>
#include <memory>
#include <string>

namespace gaze {

using Landmarks = std::array<cv::Point2f, 68>;

// iBUG 300-W indices used across the pipeline.
namespace lm {
constexpr int kJawFirst = 0, kChin = 8, kJawLast = 16;
constexpr int kNoseBridgeTop = 27, kNoseTip = 30, kNoseLeftAlaImage = 31, kNoseBase = 33, kNoseRightAlaImage = 35;
// Eyes as the image shows them in an unmirrored frame: 36-41 is the eye on
// the image's left (the subject's right eye), 42-47 the one on the right.
constexpr int kImageLeftEyeFirst = 36, kImageRightEyeFirst = 42;
constexpr int kMouthLeftImage = 48, kMouthRightImage = 54;
}  // namespace lm

class LandmarkModel {
public:
    // Throws VisionError(GAZE_ERR_MODEL) when the file cannot be read.
    explicit LandmarkModel(const std::string &path);
    ~LandmarkModel();
    LandmarkModel(const LandmarkModel &) = delete;
    LandmarkModel &operator=(const LandmarkModel &) = delete;

    // `gray` is the full 8-bit frame; `box` a face box in dlib's detector
    // convention (see face_box_from_landmarks). Points are in frame pixels.
    Landmarks fit(const cv::Mat &gray, const cv::Rect2f &box) const;

    struct Impl;  // the flattened trees; defined in landmark_model.cpp

private:
    std::unique_ptr<Impl> impl_;
};

// The dlib-detector-style box that would produce these landmarks: how the
// tracker carries a face from one frame to the next without detecting.
cv::Rect2f face_box_from_landmarks(const Landmarks &points);

// Converts a YuNet box into dlib's box convention.
cv::Rect2f dlib_box_from_yunet_box(const cv::Rect2f &box);

}  // namespace gaze
