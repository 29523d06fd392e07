#include "gaze_tracker.hpp"
#include "vision_error.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cstring>

namespace gaze {
namespace {

std::unique_ptr<FaceDetector> make_detector(const TrackerSettings &s) {
    if (!s.face_detector_model_path.empty()) return make_yunet_detector(s.face_detector_model_path, s.detector);
    if (!s.face_cascade_path.empty()) return make_cascade_detector(s.face_cascade_path, s.detector);
    throw VisionError(GAZE_ERR_MODEL, "no face detector: set face_detector_model_path or face_cascade_path");
}

EyeContour contour_from(const Landmarks &points, int first) {
    EyeContour eye;
    for (int i = 0; i < 6; ++i) eye[i] = points[first + i];
    return eye;
}

gaze_point to_point(cv::Point2f p) { return gaze_point{p.x, p.y}; }

// An eye open less than half its usual height hides most of the iris: the
// gradient method then locks onto lashes and lid edges.
constexpr float kPupilSearchShare = 0.5f;
// The narrowest eye whose iris is looked at as evidence that it is open.
constexpr float kIrisCueOpenness = 0.10f;

}  // namespace

GazeTracker::GazeTracker(const TrackerSettings &settings)
    : settings_(settings),
      landmark_model_(settings.landmark_model_path, LandmarkStorage{settings.landmark_cache_dir}),
      tracking_(make_detector(settings), landmark_model_, settings.tracking),
      image_left_blinks_(settings.closed_share),
      image_right_blinks_(settings.closed_share) {}

void GazeTracker::reset() {
    tracking_.reset();
    have_last_eyes_ = false;
    head_pose_.reset();
    image_left_blinks_.reset();
    image_right_blinks_.reset();
}

void GazeTracker::process(const gaze_image &image, int64_t frame_index, gaze_result &out) {
    cv::Mat frame;
    view_image(image, frame, converted_, gray_);

    std::memset(&out, 0, sizeof(out));
    out.struct_size = sizeof(out);
    out.frame_index = frame_index;
    out.horizontal_ratio = -1;

    // The landmarks are fitted on the frame without lens reflections around
    // the last frame's eyes; the pupils are searched on the frame as it is,
    // the share of the eye a reflection covers lowering their confidence.
    const cv::Mat &landmark_gray = have_last_eyes_ ? reflections_.repair(gray_, last_eyes_) : gray_;
    const TrackedFace face = tracking_.update(frame, landmark_gray, frame_index);
    out.face_count = face.face_count;
    out.detection_ran = face.detection_ran ? 1 : 0;
    have_last_eyes_ = face.found;
    if (!face.found) {
        head_pose_.reset();
        return;
    }
    last_eyes_ = {contour_from(face.landmarks, lm::kImageLeftEyeFirst), contour_from(face.landmarks, lm::kImageRightEyeFirst)};
    out.face_found = 1;
    out.face = gaze_box{face.box.x, face.box.y, face.box.width, face.box.height};
    out.landmark_count = GAZE_MAX_LANDMARKS;
    for (int i = 0; i < GAZE_MAX_LANDMARKS; ++i) out.landmarks[i] = to_point(face.landmarks[i]);

    const HeadPose pose = head_pose_.estimate(face.landmarks, gray_.size());
    if (pose.found) {
        const float sign = settings_.mirrored ? -1.f : 1.f;  // a mirror turns left into right
        out.head_pose_found = 1;
        out.yaw = sign * pose.yaw;
        out.pitch = pose.pitch;
        out.roll = sign * pose.roll;
    }

    // In an unmirrored image the eye on the image's left is the subject's right.
    gaze_eye &image_left = settings_.mirrored ? out.left : out.right;
    gaze_eye &image_right = settings_.mirrored ? out.right : out.left;
    describe_eye(gray_, contour_from(face.landmarks, lm::kImageLeftEyeFirst), image_left_blinks_, true, image_left);
    describe_eye(gray_, contour_from(face.landmarks, lm::kImageRightEyeFirst), image_right_blinks_, false,
                 image_right);

    float horizontal = 0, vertical = 0, quality = 0;
    int found = 0;
    for (const gaze_eye *eye : {&out.left, &out.right}) {
        if (!eye->pupil_found) continue;
        horizontal += eye->horizontal_ratio;
        vertical += eye->vertical_ratio;
        quality += eye->pupil_quality;
        ++found;
    }
    if (found > 0) {
        out.horizontal_ratio = horizontal / found;
        out.vertical_ratio = vertical / found;
        quality /= found;
    }
    out.confidence = face.score * (found / 2.f) * (0.5f + 0.5f * quality);
}

void GazeTracker::describe_eye(const cv::Mat &gray, const EyeContour &contour, BlinkDetector &blinks,
                               bool image_left_eye, gaze_eye &out) {
    // iBUG numbers each eye from its image-left corner: for the image-left
    // eye that corner is the outer one (temple side), for the other the inner.
    const cv::Point2f corner_image_left = contour[0], corner_image_right = contour[3];
    out.outer_corner = to_point(image_left_eye ? corner_image_left : corner_image_right);
    out.inner_corner = to_point(image_left_eye ? corner_image_right : corner_image_left);
    cv::Point2f centre(0, 0);
    for (const auto &p : contour) centre += p;
    centre *= 1.f / 6.f;
    out.contour_centre = to_point(centre);

    out.openness = eye_aspect_ratio(contour);
    // The blink flag holds on (hysteresis) while the lids reopen; the pupil
    // search only needs enough of the iris in view. An eye narrower than
    // that is still searched down to kIrisCueOpenness, only to tell a narrow
    // open eye from a shut one (BlinkDetector); its pupil is not reported.
    const bool report = out.openness >= kPupilSearchShare * blinks.baseline();
    PupilEstimate pupil;
    if (report || out.openness >= kIrisCueOpenness) {
        if (settings_.pupil_refinement) {
            pupil = pupils_.locate(gray, contour, reflections_.covered_share(gray, contour));
        } else {
            pupil.found = true;
            pupil.centre = centre;
        }
    }
    // The iris's clarity is the second cue for narrow eyes (BlinkDetector);
    // without the gradient method there is none.
    out.closed = blinks.update(out.openness, settings_.pupil_refinement && pupil.found ? pupil.quality : 0) ? 1 : 0;
    if (!pupil.found || !report) return;
    out.pupil_found = 1;
    out.pupil = to_point(pupil.centre);
    out.pupil_quality = pupil.quality;

    const cv::Point2f axis = corner_image_right - corner_image_left;
    const float length_squared = axis.dot(axis);
    if (length_squared <= 0) return;
    const cv::Point2f offset = pupil.centre - corner_image_left;
    const float along = offset.dot(axis) / length_squared;               // 0 at the image-left corner
    const float below = (offset.y * axis.x - offset.x * axis.y) / length_squared;  // perpendicular, down > 0
    // 0 = toward the subject's right: the image's left unless mirrored.
    out.horizontal_ratio = settings_.mirrored ? 1.f - along : along;
    out.vertical_ratio = below;
}

void view_image(const gaze_image &image, cv::Mat &frame, cv::Mat &converted, cv::Mat &gray) {
    int channels = 0;
    switch (image.pixel_format) {
        case GAZE_PIXEL_GRAY8: channels = 1; break;
        case GAZE_PIXEL_BGR24:
        case GAZE_PIXEL_RGB24: channels = 3; break;
        case GAZE_PIXEL_BGRA32: channels = 4; break;
        default: throw VisionError(GAZE_ERR_INVALID_ARGUMENT, "unknown pixel format " + std::to_string(image.pixel_format));
    }
    if (image.data == nullptr || image.width <= 0 || image.height <= 0 || image.stride < image.width * channels)
        throw VisionError(GAZE_ERR_INVALID_ARGUMENT, "image has no data or a bad size or stride");
    // A GRAY8 frame leaves `gray` borrowing the caller's buffer: never convert into it.
    drop_borrowed(gray);
    const cv::Mat wrapped(image.height, image.width, CV_8UC(channels), const_cast<uint8_t *>(image.data),
                          static_cast<size_t>(image.stride));
    switch (image.pixel_format) {
        case GAZE_PIXEL_GRAY8: frame = wrapped; gray = wrapped; return;
        case GAZE_PIXEL_BGR24: frame = wrapped; break;
        case GAZE_PIXEL_RGB24: cv::cvtColor(wrapped, converted, cv::COLOR_RGB2BGR); frame = converted; break;
        case GAZE_PIXEL_BGRA32: cv::cvtColor(wrapped, converted, cv::COLOR_BGRA2BGR); frame = converted; break;
    }
    cv::cvtColor(frame, gray, cv::COLOR_BGR2GRAY);
}

}  // namespace gaze
