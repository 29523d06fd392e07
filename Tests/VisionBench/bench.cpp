// make vision-bench: the whole per-frame pipeline on single_face.mp4 decoded into
// memory, one thread. Prints speed (median, p90, frames/s), the share of
// frames with pupils, and the pupil error against the independent
// MediaPipe reference at 0.05 / 0.10 / 0.25 of the inter-ocular distance,
// for our pupils and for the plain centre of the eye-landmark contour.
// Then the evaluation set (evaluation.hpp): per source and perturbation,
// open-eye frames within 0.05 / 0.10 of the inter-ocular distance for the
// plugin, the eye-contour centre and the seed's darkest blob, side by side.
//
// usage: bench [--data DIR] [--reference FILE] [--landmarks FILE] [--passes N]
//              [--redetect N] [--pupils 0|1] [--evaluation 0|1]
#include "bench_support.hpp"
#include "evaluation.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace {

// The subject's pupils and whether both eyes are open, from the evaluation
// set's reference loader (which names eyes by image side: this clip is
// unmirrored, so the subject's left eye is the image's right one).
struct ReferenceFrame {
    bool face = false, open = false;
    double left_x = 0, left_y = 0, right_x = 0, right_y = 0;
};

std::vector<ReferenceFrame> load_reference(const std::string &path) {
    std::vector<ReferenceFrame> frames;
    for (const eval::ReferenceFrame &f : eval::load_reference(path)) {
        frames.push_back({f.face, f.image_left.open && f.image_right.open, f.image_right.pupil.x, f.image_right.pupil.y,
                          f.image_left.pupil.x, f.image_left.pupil.y});
    }
    return frames;
}

double percentile(std::vector<double> values, double share) {
    std::sort(values.begin(), values.end());
    const size_t i = std::min(values.size() - 1, static_cast<size_t>(share * (values.size() - 1) + 0.5));
    return values[i];
}

// Error of one frame: the worse eye's distance to the reference over the
// reference inter-ocular distance (Jesorsky's normalised error).
struct Scores { int frames = 0, within[3] = {0, 0, 0}; double sum = 0; };
constexpr double kBands[3] = {0.05, 0.10, 0.25};

void score(Scores &s, bool found, gaze_point left, gaze_point right, const ReferenceFrame &r) {
    ++s.frames;
    if (!found) return;
    const double iod = std::hypot(r.left_x - r.right_x, r.left_y - r.right_y);
    const double e = std::max(std::hypot(left.x - r.left_x, left.y - r.left_y),
                              std::hypot(right.x - r.right_x, right.y - r.right_y)) / iod;
    s.sum += e;
    for (int b = 0; b < 3; ++b) if (e <= kBands[b]) ++s.within[b];
}

void print_scores(const char *name, const Scores &s) {
    std::printf("  %-26s", name);
    for (int b = 0; b < 3; ++b) std::printf("  <=%.2f: %5.1f%%", kBands[b], 100.0 * s.within[b] / std::max(1, s.frames));
    std::printf("\n");
}

void print_evaluation(const bench::Paths &paths, const bench::TrackerChoice &choice) {
    const std::vector<eval::Item> set = eval::load_set(paths);
    gaze_tracker *tracker = bench::make_tracker(paths, choice);
    const std::vector<eval::SourceTally> sources = eval::evaluate_set(tracker, set);
    gaze_tracker_destroy(tracker);
    std::printf("\nevaluation set (Tests/Fixtures/pupil-reference/evaluation-set.tsv): open-eye frames within "
                "0.05 / 0.10 of the inter-ocular distance of MediaPipe's iris (worse eye); 'out' = open frames left "
                "out where MediaPipe's and dlib's eye contours disagree; dy = mean vertical error / IOD (down > 0); g = gain with which the point follows the iris sideways inside the eye (1 follows, 0 stays put)\n");
    std::printf("  %-17s %-9s %6s %4s   %-27s %-27s %-27s\n", "source", "variant", "frames", "out", "plugin   <=.05   <=.10 dy    g",
                "contour  <=.05   <=.10 dy    g", "seed     <=.05   <=.10 dy    g");
    for (const auto &s : sources) {
        for (int p = 0; p < eval::kPerturbationCount; ++p) {
            const eval::Tally &t = s.by_perturbation[p];
            std::printf("  %-17s %-9s %6d %4d", s.source.c_str(), eval::perturbation_name(p), t.open_frames, t.excluded);
            for (int m = 0; m < eval::kMethodCount; ++m)
                std::printf("   %6.1f%% %6.1f%% %+.3f %4.2f", t.share05(m), t.share10(m), t.bias(m), t.gain(m));
            std::printf("\n");
        }
    }
    std::printf("\nboth eyes closed, frame by frame, against the reference (videos): precision / recall\n");
    for (const auto &s : sources) {
        if (s.source.rfind("feat-video", 0) != 0) continue;
        for (int p = 0; p < eval::kPerturbationCount; ++p) {
            const eval::Tally &t = s.by_perturbation[p];
            std::printf("  %-17s %-9s reference %3d, ours %3d, both %3d: %5.1f%% / %5.1f%%\n", s.source.c_str(),
                        eval::perturbation_name(p), t.closed_reference, t.closed_ours, t.closed_agreed,
                        100.0 * t.closed_agreed / std::max(1, t.closed_ours),
                        100.0 * t.closed_agreed / std::max(1, t.closed_reference));
        }
    }
}

}  // namespace

int main(int argc, char **argv) {
    bench::Paths paths;
    std::string reference = "Tests/Fixtures/pupil-reference/single_face.json";
    int passes = 5;
    bool evaluation = true;
    bench::TrackerChoice choice;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--data")) paths.data = argv[i + 1];
        else if (!std::strcmp(argv[i], "--reference")) reference = argv[i + 1];
        else if (!std::strcmp(argv[i], "--landmarks")) paths.landmarks = argv[i + 1];
        else if (!std::strcmp(argv[i], "--passes")) passes = std::max(1, std::atoi(argv[i + 1]));
        else if (!std::strcmp(argv[i], "--redetect")) choice.redetect_interval = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--evaluation")) evaluation = std::atoi(argv[i + 1]) != 0;
        else if (!std::strcmp(argv[i], "--pupils")) choice.pupil_refinement = std::atoi(argv[i + 1]) != 0;
        else bench::die(std::string("unknown option ") + argv[i]);
    }
    gaze_vision_set_threads(1);  // one thread, as the plugin runs it

    const double decode_start = bench::thread_cpu_milliseconds();
    const std::vector<bench::Frame> clip = bench::load_clip(paths.clip("single_face.mp4"), false);
    const double decode_ms = (bench::thread_cpu_milliseconds() - decode_start) / clip.size();
    const std::vector<ReferenceFrame> ref = load_reference(reference);
    if (ref.size() != clip.size()) bench::die("reference and clip differ in frame count");

    gaze_tracker *tracker = bench::make_tracker(paths, choice);
    std::vector<double> ms, cpu;
    std::vector<gaze_result> results;
    // CPU time per pass: the least of the passes is the cost with the least
    // interference (cache, frequency) from whatever else the machine runs.
    std::vector<double> pass_cpu;
    for (int p = 0; p < passes; ++p) {
        std::vector<double> this_pass;
        results = bench::run(tracker, clip, &ms, &this_pass);
        double sum = 0;
        for (double v : this_pass) sum += v;
        pass_cpu.push_back(sum / this_pass.size());
        cpu.insert(cpu.end(), this_pass.begin(), this_pass.end());
    }
    gaze_tracker_destroy(tracker);
    double cpu_total = 0;
    for (double v : cpu) cpu_total += v;
    const double cpu_mean = cpu_total / cpu.size(), cpu_best = *std::min_element(pass_cpu.begin(), pass_cpu.end());

    double total = 0, detect_total = 0, track_total = 0;
    int detect_count = 0;
    for (size_t i = 0; i < ms.size(); ++i) {
        total += ms[i];
        const bool detected = results[i % clip.size()].detection_ran != 0;
        (detected ? detect_total : track_total) += ms[i];
        detect_count += detected;
    }
    int with_pupils = 0, open_frames = 0, open_with_pupils = 0, detections = 0;
    Scores ours, contour;
    for (size_t i = 0; i < clip.size(); ++i) {
        const gaze_result &r = results[i];
        const bool both = r.left.pupil_found && r.right.pupil_found;
        with_pupils += both;
        detections += r.detection_ran;
        if (!ref[i].face || !ref[i].open) continue;
        ++open_frames;
        open_with_pupils += both;
        score(ours, both, r.left.pupil, r.right.pupil, ref[i]);
        score(contour, r.face_found != 0, r.left.contour_centre, r.right.contour_centre, ref[i]);
    }

    std::printf("gaze vision bench: single_face.mp4, %dx%d, %zu frames x %d passes, 1 thread\n",
                clip[0].width, clip[0].height, clip.size(), passes);
    std::printf("  per frame: median %.3f ms, p90 %.3f ms, mean %.3f ms, %.0f frames/s\n", percentile(ms, 0.5),
                percentile(ms, 0.9), total / ms.size(), 1000.0 * ms.size() / total);
    std::printf("  CPU time per frame (this thread): mean %.3f ms, best pass %.3f ms, median %.3f ms; "
                "target <= 2.5 ms: %s; CPU at 30 frames/s %.1f%% of a core (target < 10%%); decoding the clip "
                "(not in these figures): %.3f ms a frame\n",
                cpu_mean, cpu_best, percentile(cpu, 0.5), cpu_mean <= 2.5 ? "ok" : "MISSED", 3.0 * cpu_mean, decode_ms);
    std::printf("  detector ran on %d of %zu frames (tracked in between): %.3f ms mean with detection, "
                "%.3f ms tracked\n", detections, clip.size(), detect_total / std::max(1, detect_count),
                track_total / std::max<size_t>(1, ms.size() - detect_count));
    // The baselines the issue names, measured on these machines: the seed's
    // Python tracker (GazeTracking, dlib on every frame) and MediaPipe's face
    // mesh with iris; the target is a median of 2 ms.
    const double median = percentile(ms, 0.5);
    std::printf("  vs target (median <= 2 ms): %.2fx %s; vs the seed's Python tracker (~11.5 ms): %.1fx faster; "
                "vs MediaPipe face mesh with iris (~1.8 ms): %.2fx\n",
                2.0 / median, median <= 2.0 ? "ok" : "MISSED", 11.5 / median, 1.8 / median);
    std::printf("  CPU at 30 frames/s: %.1f%% of one core (target < 10%%)\n", 100.0 * 30 * (total / ms.size()) / 1000.0);
    std::printf("  frames with both pupils: %d/%zu (%.1f%%); open-eye frames (reference): %d, with pupils %d\n",
                with_pupils, clip.size(), 100.0 * with_pupils / clip.size(), open_frames, open_with_pupils);
    std::printf("  pupil error vs MediaPipe iris reference (worse eye / inter-ocular distance), open-eye frames:\n");
    print_scores("gradient pupils (ours)", ours);
    print_scores("eye-contour centre", contour);
    std::printf("  mean error: ours %.4f, contour centre %.4f (x inter-ocular distance)\n",
                ours.sum / std::max(1, ours.frames), contour.sum / std::max(1, contour.frames));

    if (evaluation) print_evaluation(paths, choice);
    return 0;
}
