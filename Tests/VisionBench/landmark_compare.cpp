// make vision-landmarks: the compact landmark model (int8 or int16 leaves) against
// dlib's float values, fit by fit on the same boxes (issue 18). Every frame of
// the evaluation set under every perturbation is tracked with the float model
// (as the pipeline tracks); each face is then fitted by both models in the
// same box, turned as the pipeline turns it, and the 68 points compared:
// mean and largest distance in pixels and in inter-ocular distances, per
// source and perturbation, then per point over the whole set.
//
// usage: landmark_compare [--data DIR] [--landmarks FILE] [--precision int8|int16]
#include "bench_support.hpp"
#include "evaluation.hpp"
#include "face_detector.hpp"
#include "face_tracking.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace {

struct Difference {
    long fits = 0;
    double sum = 0, largest = 0, sum_iod = 0, largest_iod = 0;
    void add(double pixels, double iod) {
        sum += pixels;
        largest = std::max(largest, pixels);
        sum_iod += pixels / iod;
        largest_iod = std::max(largest_iod, pixels / iod);
    }
};

cv::Point2f eye_centre(const gaze::Landmarks &points, int first) {
    cv::Point2f sum(0, 0);
    for (int i = 0; i < 6; ++i) sum += points[first + i];
    return sum / 6.f;
}

}  // namespace

int main(int argc, char **argv) {
    bench::Paths paths;
    gaze::LeafPrecision precision = gaze::LeafPrecision::int8;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--data")) paths.data = argv[i + 1];
        else if (!std::strcmp(argv[i], "--landmarks")) paths.landmarks = argv[i + 1];
        else if (!std::strcmp(argv[i], "--precision") && !std::strcmp(argv[i + 1], "int8")) precision = gaze::LeafPrecision::int8;
        else if (!std::strcmp(argv[i], "--precision") && !std::strcmp(argv[i + 1], "int16")) precision = gaze::LeafPrecision::int16;
        else bench::die(std::string("unknown option ") + argv[i]);
    }
    gaze_vision_set_threads(1);
    const gaze::LandmarkModel reference(paths.landmarks, gaze::LandmarkStorage{"", gaze::LeafPrecision::float32});
    const gaze::LandmarkModel compact(paths.landmarks, gaze::LandmarkStorage{"", precision});
    const char *name = precision == gaze::LeafPrecision::int8 ? "int8" : "int16";
    const std::vector<eval::Item> set = eval::load_set(paths);

    std::printf("compact landmark model (%s leaves) vs dlib's float values, same boxes, whole evaluation set\n", name);
    std::printf("  %-18s %-10s %6s %9s %9s %11s %11s\n", "source", "variant", "fits", "mean px", "max px", "mean /IOD",
                "max /IOD");
    std::vector<Difference> per_point(gaze::kForestPoints);
    Difference all;
    for (int p = 0; p < eval::kPerturbationCount; ++p) {
        std::vector<std::pair<std::string, Difference>> by_source;
        for (const eval::Item &original : set) {
            const eval::Item item = eval::perturb(original, p);
            gaze::FaceTracking tracking(gaze::make_yunet_detector(paths.yunet(), {}), reference, {});
            if (by_source.empty() || by_source.back().first != item.source) by_source.push_back({item.source, {}});
            Difference &source = by_source.back().second;
            cv::Mat gray;
            for (size_t f = 0; f < item.frames.size(); ++f) {
                const bench::Frame &frame = item.frames[f];
                const cv::Mat bgr(frame.height, frame.width, CV_8UC3, const_cast<uint8_t *>(frame.bgr.data()));
                cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
                const gaze::TrackedFace face = tracking.update(bgr, gray, static_cast<int64_t>(f));
                if (!face.found) continue;
                const gaze::FaceFrame seed = gaze::face_frame_from_landmarks(face.landmarks);
                // Not timed here: the float model has just fitted this face in
                // the tracker, its leaves are in the cache. `make vision-bench` times the pipeline.
                const gaze::Landmarks a = reference.fit(gray, seed.box, seed.angle);
                const gaze::Landmarks b = compact.fit(gray, seed.box, seed.angle);
                const double iod = cv::norm(eye_centre(a, gaze::lm::kImageLeftEyeFirst) - eye_centre(a, gaze::lm::kImageRightEyeFirst));
                ++source.fits;
                ++all.fits;
                for (int i = 0; i < gaze::kForestPoints; ++i) {
                    const double d = cv::norm(a[i] - b[i]);
                    source.add(d, iod);
                    all.add(d, iod);
                    ++per_point[i].fits;
                    per_point[i].add(d, iod);
                }
            }
        }
        for (const auto &[name, d] : by_source) {
            const double n = std::max(1.0, static_cast<double>(d.fits) * gaze::kForestPoints);
            std::printf("  %-18s %-10s %6ld %9.4f %9.4f %11.5f %11.5f\n", name.c_str(), eval::perturbation_name(p), d.fits,
                        d.sum / n, d.largest, d.sum_iod / n, d.largest_iod);
        }
    }
    const double n = std::max(1.0, static_cast<double>(all.fits) * gaze::kForestPoints);
    std::printf("  %-29s %6ld %9.4f %9.4f %11.5f %11.5f\n", "all", all.fits, all.sum / n, all.largest, all.sum_iod / n,
                all.largest_iod);
    std::printf("  per point, mean / max px:\n");
    for (int i = 0; i < gaze::kForestPoints; ++i) {
        const double m = per_point[i].fits ? per_point[i].sum / per_point[i].fits : 0;
        std::printf("  %2d %.3f/%.3f%s", i, m, per_point[i].largest, i % 6 == 5 ? "\n" : "");
    }
    std::printf("\n");
    return 0;
}
