// The C boundary of the tracker: reads size-prefixed option structs,
// catches every exception, and copies results into however much of
// gaze_result the caller knows about.
#include "gaze_tracker.hpp"
#include "gaze_vision.h"
#include "vision_error.hpp"

#include <opencv2/core/utility.hpp>

#include <algorithm>
#include <cstring>

struct gaze_tracker {
    explicit gaze_tracker(const gaze::TrackerSettings &settings) : impl(settings) {}
    gaze::GazeTracker impl;
    gaze_result scratch;  // full-size result, copied out by the caller's size
};

namespace {

std::string text_or_empty(const char *s) { return s ? std::string(s) : std::string(); }

// Reads the options the caller's struct_size covers; fields it does not
// cover keep their defaults.
gaze::TrackerSettings settings_from(const gaze_tracker_options *o) {
    using gaze::has_field;
    gaze::TrackerSettings s;
#define READ(field, assign) \
    if (has_field(o, GAZE_FIELD_END(gaze_tracker_options, field))) { assign; }
    READ(landmark_model_path, s.landmark_model_path = text_or_empty(o->landmark_model_path))
    READ(face_detector_model_path, s.face_detector_model_path = text_or_empty(o->face_detector_model_path))
    READ(face_cascade_path, s.face_cascade_path = text_or_empty(o->face_cascade_path))
    READ(redetect_interval, if (o->redetect_interval > 0) s.tracking.redetect_interval = o->redetect_interval)
    READ(detection_width, if (o->detection_width > 0) s.detector.working_width = o->detection_width)
    READ(detection_threshold, if (o->detection_threshold > 0) s.detector.score_threshold = o->detection_threshold)
    READ(mirrored, s.mirrored = o->mirrored != 0)
    READ(closed_share, if (o->closed_share > 0) s.closed_share = o->closed_share)
    READ(pupil_refinement, s.pupil_refinement = o->pupil_refinement != 0)
    READ(landmark_cache_dir, s.landmark_cache_dir = text_or_empty(o->landmark_cache_dir))
#undef READ
    return s;
}

}  // namespace

extern "C" {

void gaze_tracker_options_init(gaze_tracker_options *options) {
    if (options == nullptr) return;
    std::memset(options, 0, sizeof(*options));
    options->struct_size = sizeof(*options);
    const gaze::TrackerSettings defaults;
    options->redetect_interval = defaults.tracking.redetect_interval;
    options->detection_width = defaults.detector.working_width;
    options->detection_threshold = defaults.detector.score_threshold;
    options->mirrored = 0;
    options->closed_share = defaults.closed_share;
    options->pupil_refinement = 1;
}

gaze_status gaze_tracker_create(const gaze_tracker_options *options, gaze_tracker **out_tracker, gaze_error *error) {
    return gaze::guarded(error, [&] {
        if (out_tracker == nullptr) throw gaze::VisionError(GAZE_ERR_INVALID_ARGUMENT, "out_tracker is NULL");
        *out_tracker = nullptr;
        if (options == nullptr || options->struct_size < sizeof(uint32_t))
            throw gaze::VisionError(GAZE_ERR_INVALID_ARGUMENT, "options missing or struct_size not set");
        *out_tracker = new gaze_tracker(settings_from(options));
        return GAZE_OK;
    });
}

gaze_status gaze_tracker_process(gaze_tracker *tracker, const gaze_image *image, int64_t frame_index,
                                 gaze_result *result, gaze_error *error) {
    return gaze::guarded(error, [&] {
        if (tracker == nullptr || image == nullptr || result == nullptr)
            throw gaze::VisionError(GAZE_ERR_INVALID_ARGUMENT, "tracker, image and result must not be NULL");
        if (!gaze::has_field(image, GAZE_FIELD_END(gaze_image, data)))
            throw gaze::VisionError(GAZE_ERR_INVALID_ARGUMENT, "gaze_image.struct_size is too small");
        const uint32_t wanted = result->struct_size;
        if (wanted < sizeof(uint32_t))
            throw gaze::VisionError(GAZE_ERR_INVALID_ARGUMENT, "gaze_result.struct_size not set");
        try {
            tracker->impl.process(*image, frame_index, tracker->scratch);
        } catch (const cv::Exception &e) {
            throw gaze::VisionError(GAZE_ERR_INTERNAL, std::string("OpenCV: ") + e.what());
        }
        const size_t copied = std::min<size_t>(wanted, sizeof(gaze_result));
        std::memcpy(result, &tracker->scratch, copied);
        result->struct_size = static_cast<uint32_t>(copied);
        return GAZE_OK;
    });
}

void gaze_tracker_reset(gaze_tracker *tracker) {
    if (tracker != nullptr) tracker->impl.reset();
}

void gaze_tracker_destroy(gaze_tracker *tracker) { delete tracker; }

void gaze_vision_set_threads(int32_t threads) { cv::setNumThreads(threads < 0 ? -1 : threads); }

}  // extern "C"
