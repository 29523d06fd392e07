// dlib shape predictor behind a small C++ interface; dlib types stay in
// this file.
#include "landmark_model.hpp"
#include "vision_error.hpp"

// Debian's dlib is configured with BLAS and LAPACK, so dlib's header
// templates instantiated here (a 3-point affine fit) would call them and
// every user of this library would have to link both by hand. The shape
// predictor needs neither: let dlib's guarded headers read its config
// first, then switch the bindings off before the matrix code is seen.
#include <dlib/assert.h>
#include <dlib/test_for_odr_violations.h>
#undef DLIB_USE_BLAS
#undef DLIB_USE_LAPACK
#include <dlib/image_processing/shape_predictor.h>
#include <dlib/opencv/cv_image.h>

#include <algorithm>
#include <fstream>

namespace gaze {

struct LandmarkModel::Impl {
    dlib::shape_predictor predictor;
};

LandmarkModel::LandmarkModel(const std::string &path) : impl_(std::make_unique<Impl>()) {
    std::ifstream probe(path, std::ios::binary);
    if (path.empty() || !probe) throw VisionError(GAZE_ERR_MODEL, "cannot open landmark model '" + path + "'");
    try {
        dlib::deserialize(path) >> impl_->predictor;
    } catch (const std::exception &e) {
        throw VisionError(GAZE_ERR_MODEL, "landmark model '" + path + "' is not a dlib shape predictor: " + e.what());
    }
    if (impl_->predictor.num_parts() != 68)
        throw VisionError(GAZE_ERR_MODEL, "landmark model '" + path + "' does not predict 68 points");
}

LandmarkModel::~LandmarkModel() = default;

Landmarks LandmarkModel::fit(const cv::Mat &gray, const cv::Rect2f &box) const {
    const dlib::cv_image<unsigned char> image(gray);
    const dlib::rectangle rect(static_cast<long>(box.x), static_cast<long>(box.y),
                               static_cast<long>(box.x + box.width), static_cast<long>(box.y + box.height));
    const dlib::full_object_detection shape = impl_->predictor(image, rect);
    Landmarks points;
    for (unsigned i = 0; i < 68; ++i)
        points[i] = cv::Point2f(static_cast<float>(shape.part(i).x()), static_cast<float>(shape.part(i).y()));
    return points;
}

// The dlib 68-point model was trained on boxes from dlib's HOG detector,
// which are square and sit a little above the landmarks' extent. These
// ratios were measured once with the HOG detector on the still test images
// (astronaut, obama, biden, single_face.jpg, multi_face.jpg; not the video
// clips used for evaluation): box side = 1.04 x landmark width, centre
// 0.094 x landmark height above the landmarks' centre.
cv::Rect2f face_box_from_landmarks(const Landmarks &points) {
    float min_x = points[0].x, max_x = min_x, min_y = points[0].y, max_y = min_y;
    for (const auto &p : points) {
        min_x = std::min(min_x, p.x); max_x = std::max(max_x, p.x);
        min_y = std::min(min_y, p.y); max_y = std::max(max_y, p.y);
    }
    const float side = 1.04f * (max_x - min_x);
    const float cx = (min_x + max_x) / 2, cy = (min_y + max_y) / 2 - 0.094f * (max_y - min_y);
    return {cx - side / 2, cy - side / 2, side, side};
}

// Same measurement for YuNet's boxes, which are taller than dlib's and sit
// lower: side = mean of 1.084 x width and 0.813 x height, centre moved down
// by 0.048 x height. After a detection the tracker fits landmarks twice (the
// second time in the box of the first fit), so what is left of a box
// mismatch, eg: from a cascade, washes out.
cv::Rect2f dlib_box_from_yunet_box(const cv::Rect2f &box) {
    const float side = (1.084f * box.width + 0.813f * box.height) / 2;
    const float cx = box.x + box.width / 2, cy = box.y + box.height / 2 + 0.048f * box.height;
    return {cx - side / 2, cy - side / 2, side, side};
}

}  // namespace gaze
