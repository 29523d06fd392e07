// Facial landmarks: dlib's 68-point shape predictor model (an ensemble of
// regression trees, Kazemi & Sullivan 2014) evaluated by our own code on
// the gray frame inside a face box. The model file is the caller's choice
// (see gaze_vision.h); it is held in our compact form (landmark_forest.hpp).
#pragma once

#include "landmark_forest.hpp"

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

// How the model is kept (see landmark_cache.hpp).
struct LandmarkStorage {
    std::string cache_dir;  // where the compact form is kept and mapped from; empty = converted in memory
    // float32 by default: dlib's own values, mapped read-only (clean pages, shared).
    // int8 (17.8 MB instead of ~65) kept every frame-level figure within the
    // pipeline's noise but moved signals on clips at the floors' edge (feat-video-b
    // mirrored: 2 long closures reported as blinks; rolled -20: 1), so it is not the
    // default until those are understood (docs/gaze-vision.md, "Memory").
    LeafPrecision precision = LeafPrecision::float32;
};

class LandmarkModel {
public:
    // Throws VisionError(GAZE_ERR_MODEL) when the file cannot be read.
    explicit LandmarkModel(const std::string &path, const LandmarkStorage &storage = {});
    ~LandmarkModel();
    LandmarkModel(const LandmarkModel &) = delete;
    LandmarkModel &operator=(const LandmarkModel &) = delete;

    // `gray` is the full 8-bit frame; `box` a face box in dlib's detector
    // convention (see face_box_from_landmarks), turned by `angle` (radians,
    // image axes) about its centre. Points are in frame pixels.
    Landmarks fit(const cv::Mat &gray, const cv::Rect2f &box, float angle = 0) const;

    // Whether the trees are a read-only mapping of the cache file.
    bool mapped() const;

    struct Impl;  // the compact trees; defined in landmark_model.cpp

private:
    std::unique_ptr<Impl> impl_;
};

// The dlib-detector-style box that would produce these landmarks: how the
// tracker carries a face from one frame to the next without detecting.
cv::Rect2f face_box_from_landmarks(const Landmarks &points);

// The same box drawn in the face's own frame, turned with its eye line
// (outer corner to outer corner): the model was trained on mostly upright
// faces, and fitted in an upright box a head rolled by 25-35 degrees read
// half-shut eyes as open and flipped its pitch by 50 degrees (the evaluation
// clip rolled by -10 on top of its own 20-25). Fitting in the turned box
// reads a rolled face as the upright one the trees know.
struct FaceFrame {
    cv::Rect2f box;  // upright in the face's frame; its centre is where it sits in the image
    float angle = 0; // the eye line's angle in the image, radians (y down)
};
FaceFrame face_frame_from_landmarks(const Landmarks &points);

// Converts a YuNet box into dlib's box convention.
cv::Rect2f dlib_box_from_yunet_box(const cv::Rect2f &box);

}  // namespace gaze
