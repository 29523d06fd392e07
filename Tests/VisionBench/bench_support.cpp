#include "bench_support.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>

namespace bench {

void die(const std::string &message) {
    std::fprintf(stderr, "vision bench: %s\n", message.c_str());
    std::exit(2);
}

gaze_image Frame::image() const {
    gaze_image image{};
    image.struct_size = sizeof(image);
    image.pixel_format = GAZE_PIXEL_BGR24;
    image.width = width;
    image.height = height;
    image.stride = width * 3;
    image.data = bgr.data();
    return image;
}

std::vector<Frame> load_clip(const std::string &path, bool flip_horizontal) {
    gaze_source_options options;
    gaze_source_options_init(&options);
    options.flip_horizontal = flip_horizontal ? 1 : 0;
    gaze_error error;
    gaze_error_init(&error);
    gaze_source *source = nullptr;
    if (gaze_source_open_video(path.c_str(), &options, &source, &error) != GAZE_OK)
        die(std::string(error.message) + " (run scripts/fetch-assets.sh first)");
    std::vector<Frame> frames;
    for (;;) {
        gaze_frame frame{};
        frame.struct_size = sizeof(frame);
        const gaze_status status = gaze_source_read(source, &frame, &error);
        if (status == GAZE_END_OF_STREAM) break;
        if (status != GAZE_OK) die(error.message);
        if (frame.index != static_cast<int64_t>(frames.size())) die("frame index out of order in " + path);
        Frame copy;
        copy.width = frame.width;
        copy.height = frame.height;
        copy.bgr.resize(static_cast<size_t>(frame.width) * frame.height * 3);
        for (int y = 0; y < frame.height; ++y)
            std::copy_n(frame.data + static_cast<size_t>(y) * frame.stride, frame.width * 3,
                        copy.bgr.begin() + static_cast<size_t>(y) * frame.width * 3);
        frames.push_back(std::move(copy));
    }
    gaze_source_close(source);
    return frames;
}

gaze_tracker *make_tracker(const Paths &paths, const TrackerChoice &choice) {
    gaze_tracker_options options;
    gaze_tracker_options_init(&options);
    const std::string yunet = paths.yunet();
    options.landmark_model_path = paths.landmarks.c_str();
    options.face_detector_model_path = yunet.c_str();
    if (!paths.landmark_cache.empty()) options.landmark_cache_dir = paths.landmark_cache.c_str();
    options.mirrored = choice.mirrored ? 1 : 0;
    options.pupil_refinement = choice.pupil_refinement ? 1 : 0;
    if (choice.redetect_interval > 0) options.redetect_interval = choice.redetect_interval;
    gaze_error error;
    gaze_error_init(&error);
    gaze_tracker *tracker = nullptr;
    if (gaze_tracker_create(&options, &tracker, &error) != GAZE_OK) die(error.message);
    return tracker;
}

double thread_cpu_milliseconds() {
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return now.tv_sec * 1e3 + now.tv_nsec / 1e6;
}

std::vector<gaze_result> run(gaze_tracker *tracker, const std::vector<Frame> &clip, std::vector<double> *milliseconds,
                             std::vector<double> *cpu_milliseconds) {
    gaze_tracker_reset(tracker);
    std::vector<gaze_result> results(clip.size());
    gaze_error error;
    gaze_error_init(&error);
    for (size_t i = 0; i < clip.size(); ++i) {
        const gaze_image image = clip[i].image();
        results[i].struct_size = sizeof(gaze_result);
        const double cpu_start = thread_cpu_milliseconds();
        const auto start = std::chrono::steady_clock::now();
        const gaze_status status = gaze_tracker_process(tracker, &image, static_cast<int64_t>(i), &results[i], &error);
        const auto end = std::chrono::steady_clock::now();
        const double cpu_end = thread_cpu_milliseconds();
        if (status != GAZE_OK) die(error.message);
        if (milliseconds) milliseconds->push_back(std::chrono::duration<double, std::milli>(end - start).count());
        if (cpu_milliseconds) cpu_milliseconds->push_back(cpu_end - cpu_start);
    }
    return results;
}

}  // namespace bench
