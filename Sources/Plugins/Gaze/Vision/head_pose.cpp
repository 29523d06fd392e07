#include "head_pose.hpp"

#include <opencv2/calib3d.hpp>

#include <algorithm>
#include <array>
#include <cmath>

namespace gaze {
namespace {

// Model frame: x toward the image's right for a face looking at the camera
// (the subject's left), y down, z away from the camera into the head; the
// nose tip is the origin. Coordinates are rounded anthropometric averages.
struct ModelPoint { int landmark; float x, y, z; };
constexpr std::array<ModelPoint, 11> kModel = {{
    {30, 0.f, 0.f, 0.f},        // nose tip
    {27, 0.f, -48.f, 20.f},     // nose bridge between the eyes
    {33, 0.f, 12.f, 14.f},      // nose base
    {31, -13.f, 8.f, 17.f},     // nostril wings
    {35, 13.f, 8.f, 17.f},
    {36, -45.f, -37.f, 35.f},   // outer eye corners
    {45, 45.f, -37.f, 35.f},
    {39, -16.f, -36.f, 27.f},   // inner eye corners
    {42, 16.f, -36.f, 27.f},
    {17, -58.f, -55.f, 48.f},   // outer brow ends
    {26, 58.f, -55.f, 48.f},
}};

constexpr double kRadiansToDegrees = 180.0 / M_PI;

}  // namespace

HeadPose HeadPoseEstimator::estimate(const Landmarks &points, cv::Size frame_size) {
    std::array<cv::Point3f, kModel.size()> model;
    std::array<cv::Point2f, kModel.size()> image;
    for (size_t i = 0; i < kModel.size(); ++i) {
        model[i] = cv::Point3f(kModel[i].x, kModel[i].y, kModel[i].z);
        image[i] = points[kModel[i].landmark];
    }
    const double focal = frame_size.width;
    const cv::Matx33d camera(focal, 0, (frame_size.width - 1) / 2.0, 0, focal, (frame_size.height - 1) / 2.0, 0, 0, 1);
    if (!have_previous_) {
        // Start from a face looking at the camera at the distance its eye
        // corners imply. Without a guess the solver can settle on the
        // depth-mirrored solution behind the camera, which projects almost
        // the same for a face this far away.
        const float corners_px = static_cast<float>(cv::norm(points[45] - points[36]));
        const double z = focal * (2 * kModel[6].x) / std::max(corners_px, 1.f);
        const cv::Point2f nose = points[lm::kNoseTip];
        rotation_ = cv::Mat::zeros(3, 1, CV_64F);
        translation_ = (cv::Mat_<double>(3, 1) << (nose.x - camera(0, 2)) * z / focal,
                        (nose.y - camera(1, 2)) * z / focal, z);
    }
    const cv::Mat model_points(static_cast<int>(model.size()), 1, CV_32FC3, model.data());
    const cv::Mat image_points(static_cast<int>(image.size()), 1, CV_32FC2, image.data());
    const bool ok = cv::solvePnP(model_points, image_points, camera, cv::noArray(), rotation_, translation_, true,
                                 cv::SOLVEPNP_ITERATIVE);
    if (!ok || translation_.at<double>(2) <= 0) {
        have_previous_ = false;
        return {};
    }
    have_previous_ = true;

    cv::Matx33d r;
    cv::Rodrigues(rotation_, r);
    // Where the face points (out of the face, toward the camera when
    // frontal) and where the top of the head points, in camera axes.
    const cv::Vec3d forward = r * cv::Vec3d(0, 0, -1);
    const cv::Vec3d up = r * cv::Vec3d(0, -1, 0);
    HeadPose pose;
    pose.found = true;
    // Turning to the subject's left moves the nose toward the image's right.
    pose.yaw = static_cast<float>(std::atan2(forward[0], -forward[2]) * kRadiansToDegrees);
    // Looking up moves the nose toward the image's top (negative y).
    pose.pitch = static_cast<float>(std::atan2(-forward[1], std::hypot(forward[0], forward[2])) * kRadiansToDegrees);
    // Tilting toward the subject's left shoulder moves the crown to the image's right.
    pose.roll = static_cast<float>(std::atan2(up[0], -up[1]) * kRadiansToDegrees);
    return pose;
}

}  // namespace gaze
