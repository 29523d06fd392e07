// The gaze evaluation set (Tests/Fixtures/pupil-reference/evaluation-set.tsv):
// clips and stills from several packages with MediaPipe's independent
// reference, controlled perturbations made from them, and the pupil
// accuracy of three methods side by side: the plugin's pupils, the plain
// centre of dlib's six eye-contour points, and the seed's darkest-blob
// threshold (GazeTracking, re-implemented here from its description).
//
// Eyes are named by image side throughout (the tracker is not told about
// the mirror), so a mirrored frame needs no renaming.
#pragma once

#include "bench_support.hpp"

#include <array>
#include <string>
#include <vector>

namespace eval {

struct Point { double x = 0, y = 0; };

struct EyeReference {
    Point pupil;
    std::array<Point, 6> contour;  // MediaPipe's nearest match to dlib's six points
    bool open = false;
};

struct ReferenceFrame {
    bool face = false;
    EyeReference image_left, image_right;
};

struct Item {
    std::string source, media, kind;
    std::string reference_file;  // under Tests/Fixtures/pupil-reference/
    std::vector<bench::Frame> frames;
    std::vector<ReferenceFrame> reference;
};

// Loads every line of the set with its media (decoded into memory) and reference.
std::vector<Item> load_set(const bench::Paths &paths);

// One reference file (Tests/Tools/make-pupil-reference.py's JSON), eyes by image side.
std::vector<ReferenceFrame> load_reference(const std::string &path);

// Exposure, sensor and codec perturbations, then spectacles' glare (a
// specular streak over each eye, placed from the reference) and in-plane
// head rotations (the frame turned about its centre).
enum Perturbation {
    kNone, kDarker, kBrighter, kNoise, kJpeg, kDownscale, kMirror,
    kGlare, kRotateLeft20, kRotateLeft10, kRotateRight10, kRotateRight20, kPerturbationCount
};
const char *perturbation_name(int p);

// The item with every frame (and its reference) perturbed; deterministic.
Item perturb(const Item &item, int perturbation);

enum Method { kPlugin, kContour, kSeed, kMethodCount };

struct Tally {
    int open_frames = 0;   // reference face with both eyes open, landmark models agreeing
    int excluded = 0;      // open, but MediaPipe's and dlib's eye contours disagree
    int within05[kMethodCount] = {}, within10[kMethodCount] = {};
    double vertical_sum[kMethodCount] = {};  // signed error along y / IOD, down > 0
    int vertical_count[kMethodCount] = {};
    // Does the pupil follow the iris inside the eye? Over every eye of the
    // counted frames: the reference iris's horizontal offset from MediaPipe's
    // contour centre (r) against the method's offset from dlib's (p), both
    // over the IOD; gain = cov(r, p) / var(r): 1 follows, 0 stays put.
    double follow_n[kMethodCount] = {}, follow_r[kMethodCount] = {}, follow_p[kMethodCount] = {},
           follow_rr[kMethodCount] = {}, follow_rp[kMethodCount] = {};
    double gain(int m) const;
    // Both eyes closed, frame by frame: the reference's open flags against the
    // tracker's closed flags (with its hysteresis), on frames where the
    // reference has a face.
    int closed_reference = 0, closed_ours = 0, closed_agreed = 0;
    Tally &operator+=(const Tally &o);
    double share05(int m) const { return open_frames ? 100.0 * within05[m] / open_frames : 0; }
    double share10(int m) const { return open_frames ? 100.0 * within10[m] / open_frames : 0; }
    double bias(int m) const { return vertical_count[m] ? vertical_sum[m] / vertical_count[m] : 0; }
};

// Runs the tracker over the item (from a reset) and scores the three methods.
Tally evaluate(gaze_tracker *tracker, const Item &item);

// Per source (in the set's order) and perturbation, summed over its items.
struct SourceTally { std::string source; Tally by_perturbation[kPerturbationCount]; };
std::vector<SourceTally> evaluate_set(gaze_tracker *tracker, const std::vector<Item> &set);

}  // namespace eval
