// The 68-point landmark model: dlib's file format, our own evaluator.
//
// The model is an ensemble of regression trees (Kazemi & Sullivan 2014):
// 15 cascade levels of 500 depth-4 trees; each tree compares pairs of
// pixels placed relative to the current shape and adds its leaf's shape
// correction. dlib evaluates it through nested heap vectors; here every
// level's splits and leaves sit in flat arrays read front to back, leaves
// are summed in one vectorisable loop, and the final points keep their
// sub-pixel position (dlib rounds them to whole pixels). The results are
// otherwise dlib's: same features, same trees, same similarity transform.
#include "landmark_model.hpp"
#include "vision_error.hpp"

// Debian's dlib is configured with BLAS and LAPACK; we use only its
// deserialisation, which needs neither. Let dlib's guarded headers read
// its config first, then switch the bindings off before the matrix code is
// seen, so users of this library need not link BLAS, LAPACK or libdlib.
#include <dlib/assert.h>
#include <dlib/test_for_odr_violations.h>
#undef DLIB_USE_BLAS
#undef DLIB_USE_LAPACK
#include <dlib/image_processing/shape_predictor.h>

#include <algorithm>
#include <cmath>
#include <fstream>

#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace gaze {

struct Split { uint16_t a, b; float threshold; };

struct CascadeLevel {
    std::vector<uint16_t> anchors;     // per feature pixel: the shape point it hangs from
    std::vector<cv::Point2f> deltas;   // per feature pixel: offset from that point (mean-shape units)
    int tree_count = 0, splits_per_tree = 0, leaves_per_tree = 0;
    std::vector<Split> splits;         // tree-major
    std::vector<float> leaves;         // tree-major, leaf-major, 136 values each
};

struct LandmarkModel::Impl {
    std::vector<float> initial_shape;  // x0, y0, x1, y1... in the unit face box
    std::vector<CascadeLevel> levels;
};

namespace {

constexpr int kPoints = 68;
constexpr int kValues = 2 * kPoints;

void load(const std::string &path, LandmarkModel::Impl &model) {
    std::ifstream in(path, std::ios::binary);
    if (path.empty() || !in) throw VisionError(GAZE_ERR_MODEL, "cannot open landmark model '" + path + "'");
    // The same fields, in the same order, as dlib's shape_predictor serialiser.
    int version = 0;
    dlib::matrix<float, 0, 1> initial;
    std::vector<std::vector<dlib::impl::regression_tree>> forests;
    std::vector<std::vector<unsigned long>> anchors;
    std::vector<std::vector<dlib::vector<float, 2>>> deltas;
    try {
        dlib::deserialize(version, in);
        dlib::deserialize(initial, in);
        dlib::deserialize(forests, in);
        dlib::deserialize(anchors, in);
        dlib::deserialize(deltas, in);
    } catch (const std::exception &e) {
        throw VisionError(GAZE_ERR_MODEL, "landmark model '" + path + "' is not a dlib shape predictor: " + e.what());
    }
    if (version != 1 || initial.size() != kValues || forests.size() != anchors.size() || forests.size() != deltas.size())
        throw VisionError(GAZE_ERR_MODEL, "landmark model '" + path + "' is not a 68-point dlib shape predictor");

    model.initial_shape.assign(initial.begin(), initial.end());
    model.levels.resize(forests.size());
    for (size_t l = 0; l < forests.size(); ++l) {
        CascadeLevel &level = model.levels[l];
        for (size_t i = 0; i < anchors[l].size(); ++i) {
            level.anchors.push_back(static_cast<uint16_t>(anchors[l][i]));
            level.deltas.emplace_back(deltas[l][i].x(), deltas[l][i].y());
        }
        const auto &trees = forests[l];
        level.tree_count = static_cast<int>(trees.size());
        level.splits_per_tree = trees.empty() ? 0 : static_cast<int>(trees[0].splits.size());
        level.leaves_per_tree = level.splits_per_tree + 1;
        for (const auto &tree : trees) {
            if (static_cast<int>(tree.splits.size()) != level.splits_per_tree ||
                static_cast<int>(tree.leaf_values.size()) != level.leaves_per_tree)
                throw VisionError(GAZE_ERR_MODEL, "landmark model '" + path + "' has trees of uneven depth");
            for (const auto &s : tree.splits) {
                if (s.idx1 >= level.anchors.size() || s.idx2 >= level.anchors.size())
                    throw VisionError(GAZE_ERR_MODEL, "landmark model '" + path + "' is corrupt");
                level.splits.push_back({static_cast<uint16_t>(s.idx1), static_cast<uint16_t>(s.idx2), s.thresh});
            }
            for (const auto &leaf : tree.leaf_values) {
                if (leaf.size() != kValues) throw VisionError(GAZE_ERR_MODEL, "landmark model '" + path + "' is corrupt");
                level.leaves.insert(level.leaves.end(), leaf.begin(), leaf.end());
            }
        }
        for (uint16_t a : level.anchors)
            if (a >= kPoints) throw VisionError(GAZE_ERR_MODEL, "landmark model '" + path + "' is corrupt");
    }
}

// Least-squares similarity (rotation and scale, no translation needed)
// taking the mean shape to the current one: what dlib's
// find_tform_between_shapes returns, in closed form for 2-D.
cv::Matx22f similarity(const float *from, const float *to) {
    float fx = 0, fy = 0, tx = 0, ty = 0;
    for (int i = 0; i < kPoints; ++i) { fx += from[2 * i]; fy += from[2 * i + 1]; tx += to[2 * i]; ty += to[2 * i + 1]; }
    fx /= kPoints; fy /= kPoints; tx /= kPoints; ty /= kPoints;
    float dot = 0, cross = 0, norm = 0;
    for (int i = 0; i < kPoints; ++i) {
        const float ax = from[2 * i] - fx, ay = from[2 * i + 1] - fy;
        const float bx = to[2 * i] - tx, by = to[2 * i + 1] - ty;
        dot += ax * bx + ay * by;
        cross += ax * by - ay * bx;
        norm += ax * ax + ay * ay;
    }
    if (norm <= 0) return cv::Matx22f::eye();
    const float a = dot / norm, b = cross / norm;
    return cv::Matx22f(a, -b, b, a);
}

}  // namespace

LandmarkModel::LandmarkModel(const std::string &path) : impl_(std::make_unique<Impl>()) {
    load(path, *impl_);
#ifdef __GLIBC__
    // dlib's nested vectors were ~200k small blocks, now freed: hand the
    // pages back instead of keeping ~100 MB of fragmented heap resident.
    malloc_trim(0);
#endif
}

LandmarkModel::~LandmarkModel() = default;

namespace {

// The trees compare differences of two pixels with thresholds learnt on
// normally exposed faces, so a dark or flat face (a dim room, an
// underexposed webcam) reads as if its lids were half open: on the
// evaluation clip darkened to 35 %, 21 % of the shut frames were seen shut.
// When the first level's pixels vary less than a typical face's, their
// differences are stretched to that contrast (the offset does not matter to
// a difference). 34 grey levels: about single_face.mp4's (30-40); chosen on
// the evaluation set, where it took the darkened clip's closed-eye recall to
// 69.5 % and changed no pupil figure for the worse (docs/gaze-vision.md).
constexpr double kTypicalFaceContrast = 34;

float contrast_gain(const std::vector<float> &pixels) {
    double sum = 0, squares = 0;
    for (float f : pixels) { sum += f; squares += static_cast<double>(f) * f; }
    const double n = static_cast<double>(pixels.size());
    const double mean = sum / n, spread = std::sqrt(std::max(0.0, squares / n - mean * mean));
    return spread > 1 && spread < kTypicalFaceContrast ? static_cast<float>(kTypicalFaceContrast / spread) : 1.f;
}

}  // namespace

Landmarks LandmarkModel::fit(const cv::Mat &gray, const cv::Rect2f &box, float angle) const {
    CV_Assert(gray.type() == CV_8UC1);
    // dlib's boxes are whole pixels with an inclusive right/bottom edge;
    // the unit box maps onto them.
    const float left = std::trunc(box.x), top = std::trunc(box.y);
    const float width = std::trunc(box.x + box.width) - left, height = std::trunc(box.y + box.height) - top;
    // Points of the upright box are turned about its centre into the image.
    const float cx = box.x + box.width / 2, cy = box.y + box.height / 2;
    const float cosine = std::cos(angle), sine = std::sin(angle);
    const bool upright = angle == 0;
    const auto to_image = [&](float x, float y) {
        if (upright) return cv::Point2f(x, y);
        return cv::Point2f(cx + cosine * (x - cx) - sine * (y - cy), cy + sine * (x - cx) + cosine * (y - cy));
    };
    float shape[kValues];
    std::copy(impl_->initial_shape.begin(), impl_->initial_shape.end(), shape);
    std::vector<float> features;
    float gain = 0;  // from the first level's pixels, for every level

    for (const CascadeLevel &level : impl_->levels) {
        const cv::Matx22f m = similarity(impl_->initial_shape.data(), shape);
        features.resize(level.anchors.size());
        for (size_t i = 0; i < level.anchors.size(); ++i) {
            const cv::Point2f d = level.deltas[i];
            const float ux = m(0, 0) * d.x + m(0, 1) * d.y + shape[2 * level.anchors[i]];
            const float uy = m(1, 0) * d.x + m(1, 1) * d.y + shape[2 * level.anchors[i] + 1];
            const cv::Point2f at = to_image(left + ux * width, top + uy * height);
            const long x = static_cast<long>(std::floor(at.x + 0.5f));
            const long y = static_cast<long>(std::floor(at.y + 0.5f));
            features[i] = (x >= 0 && y >= 0 && x < gray.cols && y < gray.rows) ? gray.at<uchar>(y, x) : 0.f;
        }
        if (gain == 0) gain = contrast_gain(features);
        if (gain != 1.f) for (float &f : features) f *= gain;
        const Split *split = level.splits.data();
        const float *leaves = level.leaves.data();
        for (int t = 0; t < level.tree_count; ++t, split += level.splits_per_tree,
                 leaves += static_cast<size_t>(level.leaves_per_tree) * kValues) {
            int node = 0;
            while (node < level.splits_per_tree) {
                const Split &s = split[node];
                node = features[s.a] - features[s.b] > s.threshold ? 2 * node + 1 : 2 * node + 2;
            }
            const float *leaf = leaves + static_cast<size_t>(node - level.splits_per_tree) * kValues;
            for (int k = 0; k < kValues; ++k) shape[k] += leaf[k];
        }
    }

    Landmarks points;
    for (int i = 0; i < kPoints; ++i)
        points[i] = to_image(left + shape[2 * i] * width, top + shape[2 * i + 1] * height);
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

// Faces rolled less than this (0.14 rad, 8 degrees) are fitted upright as
// before: the trees saw that much roll in training, and on the evaluation
// set turning them too changed no figure for the better (a still lost a
// pupil within 0.05); rolled further, the turned fit raised the rolled
// clips' shut-eye recall from 23-70 % to 70-82 % (docs/gaze-vision.md).
constexpr float kUprightRoll = 0.14f;

FaceFrame face_frame_from_landmarks(const Landmarks &points) {
    const cv::Point2f eye_line = points[lm::kImageRightEyeFirst + 3] - points[lm::kImageLeftEyeFirst];
    const float measured = std::atan2(eye_line.y, eye_line.x);
    const float angle = std::abs(measured) < kUprightRoll ? 0.f : measured;
    const float cosine = std::cos(angle), sine = std::sin(angle);
    // Turned back by the angle the face stands upright; its box is drawn
    // there and its centre turned forward again.
    Landmarks upright;
    for (size_t i = 0; i < points.size(); ++i)
        upright[i] = cv::Point2f(cosine * points[i].x + sine * points[i].y, -sine * points[i].x + cosine * points[i].y);
    const cv::Rect2f box = face_box_from_landmarks(upright);
    const cv::Point2f c(box.x + box.width / 2, box.y + box.height / 2);
    const cv::Point2f centre(cosine * c.x - sine * c.y, sine * c.x + cosine * c.y);
    return {cv::Rect2f(centre.x - box.width / 2, centre.y - box.height / 2, box.width, box.height), angle};
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
