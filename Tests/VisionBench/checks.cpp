// make vision-check: behaviour checks of the gaze vision core on real faces, and
// of the C API's failure paths. Ends with "N passed, N failed".
//
// usage: checks [--data DIR] [--landmarks FILE]
#include "bench_support.hpp"
#include "evaluation.hpp"
#include "eye_openness.hpp"
#include "landmark_cache.hpp"
#include "landmark_model.hpp"
#include "lens_reflections.hpp"
#include "pupil_locator.hpp"
#include "json_lite.hpp"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

namespace {

int passed = 0, failed = 0;

void expect(bool ok, const std::string &what, const std::string &detail = "") {
    (ok ? passed : failed)++;
    std::printf("%s  %s%s%s\n", ok ? "PASS" : "FAIL", what.c_str(), detail.empty() ? "" : ": ", detail.c_str());
}

std::string fmt(const char *format, double a, double b = 0, double c = 0) {
    char text[256];
    std::snprintf(text, sizeof text, format, a, b, c);
    return text;
}

float distance(gaze_point a, gaze_point b) { return std::hypot(a.x - b.x, a.y - b.y); }

// ---- real clips -------------------------------------------------------------

void face_in_every_frame(const bench::Paths &paths, const std::vector<bench::Frame> &clip) {
    gaze_tracker *t = bench::make_tracker(paths, {});
    const auto results = bench::run(t, clip);
    gaze_tracker_destroy(t);
    int with_face = 0, single = 0, pupils_inside = 0, with_pupils = 0, frontal_pose = 0;
    for (const auto &r : results) {
        with_face += r.face_found;
        // The subject faces the camera throughout: a plausible pose, every frame.
        frontal_pose += r.head_pose_found && std::abs(r.yaw) < 15 && std::abs(r.pitch) < 20 && std::abs(r.roll) < 15;
        single += r.face_count == 1;
        for (const gaze_eye *e : {&r.left, &r.right}) {
            if (!e->pupil_found) continue;
            ++with_pupils;
            // Inside the eye: between the corners, within a third of the eye width of their line.
            const float width = distance(e->outer_corner, e->inner_corner);
            const float v = std::abs(e->vertical_ratio) * width;
            pupils_inside += e->horizontal_ratio > 0 && e->horizontal_ratio < 1 && v < width / 3;
        }
    }
    expect(with_face == static_cast<int>(clip.size()), "single_face.mp4: a face in every frame",
           fmt("%.0f of %.0f frames", with_face, clip.size()));
    expect(single == static_cast<int>(clip.size()), "single_face.mp4: face count 1 in every frame",
           fmt("%.0f of %.0f frames", single, clip.size()));
    expect(frontal_pose == static_cast<int>(clip.size()), "single_face.mp4: head pose near frontal in every frame",
           fmt("%.0f of %.0f frames", frontal_pose, clip.size()));
    expect(with_pupils > 0 && pupils_inside == with_pupils, "single_face.mp4: every pupil inside its eye",
           fmt("%.0f of %.0f pupils", pupils_inside, with_pupils));
}

void blinks_where_eyes_close(const bench::Paths &paths, const std::vector<bench::Frame> &clip,
                             const json_lite::Value &reference) {
    gaze_tracker *t = bench::make_tracker(paths, {});
    const auto results = bench::run(t, clip);
    gaze_tracker_destroy(t);
    int ref_closed = 0, caught = 0, false_alarms = 0, ref_open = 0;
    for (size_t i = 0; i < clip.size(); ++i) {
        const auto &f = reference["frames"][i];
        const bool closed_ref = !f["left"]["open"].boolean && !f["right"]["open"].boolean;
        const bool closed_ours = results[i].left.closed && results[i].right.closed;
        if (closed_ref) { ++ref_closed; caught += closed_ours; }
        else { ++ref_open; false_alarms += closed_ours; }
    }
    expect(ref_closed > 0 && caught == ref_closed, "single_face.mp4: both eyes closed on every reference blink frame",
           fmt("%.0f of %.0f", caught, ref_closed));
    // One frame either side of a blink may still read closed (hysteresis).
    expect(false_alarms <= 2, "single_face.mp4: few closed flags on open-eye frames",
           fmt("%.0f of %.0f open frames", false_alarms, ref_open));
}

void mirrored_input(const bench::Paths &paths, const std::vector<bench::Frame> &clip) {
    const std::vector<bench::Frame> flipped = bench::load_clip(paths.clip("single_face.mp4"), true);
    gaze_tracker *plain = bench::make_tracker(paths, {});
    gaze_tracker *as_is = bench::make_tracker(paths, {});
    bench::TrackerChoice mirrored_choice;
    mirrored_choice.mirrored = true;
    gaze_tracker *mirrored = bench::make_tracker(paths, mirrored_choice);
    const auto a = bench::run(plain, clip);
    const auto b = bench::run(as_is, flipped);
    const auto c = bench::run(mirrored, flipped);
    const float w = static_cast<float>(clip[0].width);
    auto flip = [w](gaze_point p) { return gaze_point{w - 1 - p.x, p.y}; };
    int frames = 0, swapped = 0, kept = 0, yaw_negated = 0;
    for (size_t i = 0; i < clip.size(); ++i) {
        if (!a[i].left.pupil_found || !a[i].right.pupil_found || !b[i].left.pupil_found || !c[i].left.pupil_found ||
            !b[i].right.pupil_found || !c[i].right.pupil_found)
            continue;
        ++frames;
        const float iod = distance(a[i].left.pupil, a[i].right.pupil);
        // Not told about the mirror, the tracker names the eyes by image side: left and right swap.
        swapped += distance(b[i].left.pupil, flip(a[i].right.pupil)) < 0.1f * iod &&
                   distance(b[i].right.pupil, flip(a[i].left.pupil)) < 0.1f * iod;
        // Told (mirrored = 1), the subject's eyes keep their names.
        kept += distance(c[i].left.pupil, flip(a[i].left.pupil)) < 0.1f * iod &&
                distance(c[i].right.pupil, flip(a[i].right.pupil)) < 0.1f * iod;
        yaw_negated += a[i].head_pose_found && b[i].head_pose_found && c[i].head_pose_found &&
                       std::abs(c[i].yaw - a[i].yaw) < 3.f && std::abs(b[i].yaw + a[i].yaw) < 3.f &&
                       std::abs(c[i].roll - a[i].roll) < 3.f && std::abs(b[i].roll + a[i].roll) < 3.f;
    }
    expect(frames > 60 && swapped == frames, "flipped input without 'mirrored': left and right swap",
           fmt("%.0f of %.0f frames", swapped, frames));
    expect(frames > 60 && kept == frames, "flipped input with 'mirrored': the subject's eyes keep their names",
           fmt("%.0f of %.0f frames", kept, frames));
    expect(frames > 60 && yaw_negated >= frames * 9 / 10, "flipped input: yaw and roll mirror, 'mirrored' restores them",
           fmt("%.0f of %.0f frames", yaw_negated, frames));
    gaze_tracker_destroy(plain);
    gaze_tracker_destroy(as_is);
    gaze_tracker_destroy(mirrored);
}

// The face count per frame, as a run-length string such as "1x72 0x97".
std::string face_runs(const std::vector<gaze_result> &results) {
    std::string text;
    size_t i = 0;
    while (i < results.size()) {
        size_t j = i;
        while (j < results.size() && (results[j].face_count > 0) == (results[i].face_count > 0)) ++j;
        text += (text.empty() ? "" : " ") + std::string(results[i].face_count > 0 ? "face" : "none") + "x" +
                std::to_string(j - i);
        i = j;
    }
    return text;
}

void face_leaves_and_returns(const bench::Paths &paths) {
    const auto leaves = bench::load_clip(paths.clip("face_noface.mov"), false);
    const auto arrives = bench::load_clip(paths.clip("noface_face.mov"), false);
    gaze_tracker *t = bench::make_tracker(paths, {});
    const auto a = bench::run(t, leaves);
    // One continuous stream: the face leaves, then a clip where it comes back.
    std::vector<bench::Frame> both = leaves;
    both.insert(both.end(), arrives.begin(), arrives.end());
    const auto b = bench::run(t, both);
    gaze_tracker_destroy(t);

    const json_lite::Value ref = json_lite::parse_file("Tests/Fixtures/pupil-reference/face_noface.json");
    int agree = 0;
    for (size_t i = 0; i < a.size(); ++i) agree += (a[i].face_count > 0) == (ref["frames"][i]["faces"].number > 0);
    const std::string runs = face_runs(a);
    expect(runs.rfind("facex", 0) == 0 && runs.find("none") != std::string::npos && runs.find(" face") == std::string::npos,
           "face_noface.mov: face count drops to 0 when the face leaves, and stays 0", runs);
    expect(agree >= static_cast<int>(a.size()) - 12, "face_noface.mov: face presence agrees with the reference",
           fmt("%.0f of %.0f frames", agree, a.size()));
    const std::string runs_b = face_runs(b);
    expect(runs_b.find("none") != std::string::npos && runs_b.rfind("face") > runs_b.find("none"),
           "face_noface.mov then noface_face.mov: the face count comes back after 0", runs_b);
}

// ---- the evaluation set ---------------------------------------------------
// Figures from `make vision-bench` (docs/gaze-vision.md), asserted with a
// margin: the bench is deterministic, the margin is for another compiler's
// rounding, not for luck. Stills count as one frame each, so for those
// sources the pupils must simply do as well as the contour centre.

void evaluation_set(const bench::Paths &paths) {
    const std::vector<eval::Item> set = eval::load_set(paths);
    gaze_tracker *t = bench::make_tracker(paths, {});
    const std::vector<eval::SourceTally> sources = eval::evaluate_set(t, set);
    gaze_tracker_destroy(t);
    for (const auto &s : sources) {
        const bool video = s.source.rfind("feat-video", 0) == 0;
        for (int p = 0; p < eval::kPerturbationCount; ++p) {
            const eval::Tally &tally = s.by_perturbation[p];
            const std::string name = s.source + " " + eval::perturbation_name(p);
            const int ours = tally.within05[eval::kPlugin], contour = tally.within05[eval::kContour];
            if (p == eval::kGlare) {
                // Spectacles' glare hides part of the iris: the gradient pupils found 0 % within 0.05
                // on video-a and 29.7 % on video-b before the reflection lowered their confidence
                // (LensReflections) and the landmarks were fitted without it; measured since: 85.5 /
                // 73.7 % within 0.05, 100 / 99.3 % within 0.10 (the contour centre 69.6 / 77.5 %, so
                // video-b stays out of "at least the contour centre").
                if (video) {
                    const bool a = s.source == "feat-video-a";
                    expect(tally.share05(eval::kPlugin) >= (a ? 75.0 : 65.0),
                           name + ": pupils within 0.05 IOD despite the glare (a: >= 75 %, b: >= 65 %)",
                           fmt("%.1f %% of %.0f", tally.share05(eval::kPlugin), tally.open_frames));
                    expect(tally.share10(eval::kPlugin) >= 95.0, name + ": pupils within 0.10 IOD despite the glare (>= 95 %)",
                           fmt("%.1f %% of %.0f", tally.share10(eval::kPlugin), tally.open_frames));
                } else {
                    expect(ours >= contour, name + ": pupils within 0.05 IOD at least as often as the contour centre",
                           fmt("%.0f vs %.0f frames of %.0f", ours, contour, tally.open_frames));
                }
                continue;
            }
            if (video) {
                // measured: 97.9-98.6 % (video-b), 100 % (video-a), rolled 96.0-100 %; the contour centre 74-100 %
                expect(tally.share05(eval::kPlugin) >= 93.0, name + ": pupils within 0.05 IOD on >= 93 % of open-eye frames",
                       fmt("%.1f %% of %.0f", tally.share05(eval::kPlugin), tally.open_frames));
                // measured: the upward bias went from -0.030..-0.045 to -0.011..+0.021
                expect(std::abs(tally.bias(eval::kPlugin)) <= 0.03, name + ": no vertical bias beyond 0.03 IOD",
                       fmt("%+.3f", tally.bias(eval::kPlugin)));
            }
            expect(ours >= contour, name + ": pupils within 0.05 IOD at least as often as the contour centre",
                   fmt("%.0f vs %.0f frames of %.0f", ours, contour, tally.open_frames));
            // measured: 98.9-100 % within 0.10 on the videos, every still
            expect(video ? tally.share10(eval::kPlugin) >= 97.0 : tally.within10[eval::kPlugin] == tally.open_frames,
                   name + ": pupils within 0.10 IOD (videos >= 97 %, stills all)",
                   fmt("%.0f of %.0f", tally.within10[eval::kPlugin], tally.open_frames));
        }
        if (s.source == "feat-video-b") {
            const eval::Tally &none = s.by_perturbation[eval::kNone];
            // The clip the issue was found on: well above the contour centre, and
            // the pupils still follow the iris sideways (measured gain 0.78-0.83).
            expect(none.share05(eval::kPlugin) >= none.share05(eval::kContour) + 10,
                   "feat-video-b: pupils beat the contour centre by 10 points or more",
                   fmt("%.1f %% vs %.1f %%", none.share05(eval::kPlugin), none.share05(eval::kContour)));
            // Closed eyes, frame by frame (measured: precision 96.7-99.2 % under the exposure, sensor
            // and codec perturbations; recall 79-83 % unchanged, JPEG, noise and 320x180, 68 % brighter
            // or mirrored, 69.5 % darker (21 % before the landmark fit stretched a flat face's contrast).
            // Rolled: recall 69.5 / 55.7 % at -10 / +10 degrees, 39.1 / 23.0 % at -20 / +20, precision
            // 83-99 %. Glare: 4 % recall while the streak over the lid read as an open eye; 86.8 %
            // (precision 93.8 %) with the landmarks fitted on the frame without it.
            for (int p = 0; p < eval::kPerturbationCount; ++p) {
                const eval::Tally &t = s.by_perturbation[p];
                const double precision = 100.0 * t.closed_agreed / std::max(1, t.closed_ours);
                const double recall = 100.0 * t.closed_agreed / std::max(1, t.closed_reference);
                const double floors[eval::kPerturbationCount] = {75, 55, 60, 75, 75, 75, 60, 75, 30, 60, 45, 15};
                const double precision_floor = p == eval::kRotateRight20 ? 75 : p == eval::kGlare ? 88 : 93;
                expect(t.closed_ours > 0 && precision >= precision_floor && recall >= floors[p],
                       std::string("feat-video-b ") + eval::perturbation_name(p) + ": closed eyes, precision >= " +
                           fmt("%.0f %%", precision_floor) + ", recall >= " + fmt("%.0f %%", floors[p]),
                       fmt("%.1f %% / %.1f %%", precision, recall));
            }
            for (int p = 0; p < eval::kPerturbationCount; ++p)
                if (p != eval::kGlare)  // 0.39 under glare, 0.01 since the reflection sends the pupils to the contour
                expect(s.by_perturbation[p].gain(eval::kPlugin) >= 0.6,
                       std::string("feat-video-b ") + eval::perturbation_name(p) + ": pupils follow the iris (gain >= 0.6)",
                       fmt("%.2f", s.by_perturbation[p].gain(eval::kPlugin)));
        }
    }
}

// ---- narrow eyes: the iris teaches the open level --------------------------
// No clip of the set has eyes narrower than the threshold the detector starts
// from (0.6 x 0.28 = 0.168; squashing a face does not make dlib's eyes
// narrower), so the detector is fed the ratios and pupil qualities measured
// on the evaluation clip: open ~0.29 with quality ~0.33, shut 0.05-0.17
// with ~0.04. The set's own figures are identical with and without this.

void narrow_eyes() {
    // Open at 0.14 (a narrow eye) with a clear iris: closed at first, open after the run.
    gaze::BlinkDetector narrow(0.6f);
    int closed_frames = 0;
    for (int i = 0; i < 60; ++i) closed_frames += narrow.update(0.14f, 0.33f);
    expect(closed_frames == gaze::BlinkDetector::kAdoptFrames - 1 && !narrow.update(0.14f, 0.33f),
           "narrow eyes with a clear iris read open once the iris has shown for 1.5 s",
           fmt("%.0f closed frames of 60, baseline %.3f", closed_frames, narrow.baseline()));
    // That person's blink still reads as one.
    bool blinked = false;
    for (int i = 0; i < 4; ++i) blinked |= narrow.update(0.04f, 0.f);
    expect(blinked && !narrow.update(0.14f, 0.33f) && !narrow.update(0.14f, 0.33f),
           "and their blink is still seen (0.04 against an open level of 0.14)", fmt("baseline %.3f", narrow.baseline()));
    // A long closure at 0.17 (dlib's ratio on the clip's shut eyes) shows no iris: it stays closed.
    gaze::BlinkDetector shut(0.6f);
    int open_frames = 0;
    for (int i = 0; i < 200; ++i) open_frames += !shut.update(0.165f, 0.04f);
    expect(open_frames == 0, "a long closure without an iris stays closed",
           fmt("%.0f frames read open of 200", open_frames));
    // Closed frames with an iris in short runs (the clip's longest: 6) never teach the level.
    gaze::BlinkDetector runs(0.6f);
    open_frames = 0;
    for (int i = 0; i < 300; ++i) open_frames += !runs.update(0.15f, i % 8 < 6 ? 0.3f : 0.02f);
    expect(open_frames == 0, "runs of 6 clear-iris frames in a closure do not make it open",
           fmt("%.0f frames read open of 300", open_frames));
}

// ---- the pupil's confidence -------------------------------------------------

void pupil_confidence() {
    // An eye 40 px wide, its lids 12 px apart.
    const gaze::EyeContour eye = {cv::Point2f(100, 100), cv::Point2f(113, 94), cv::Point2f(127, 94),
                                  cv::Point2f(140, 100), cv::Point2f(127, 106), cv::Point2f(113, 106)};
    gaze::PupilLocator locator;
    // A clear dark iris left of centre, radius 7 px, in a light eye: found there, confident.
    cv::Mat clear(200, 240, CV_8U, cv::Scalar(200));
    cv::circle(clear, cv::Point(114, 100), 7, cv::Scalar(40), cv::FILLED, cv::LINE_AA);
    const gaze::PupilEstimate a = locator.locate(clear, eye);
    expect(a.found && a.quality >= 0.35f && std::abs(a.centre.x - 114) < 2.5f && std::abs(a.centre.y - 100) < 2.5f,
           "pupil: a clear iris is found where it is, with a confidence of 0.35 or more",
           fmt("(%.1f, %.1f), confidence %.2f", a.centre.x, a.centre.y, a.quality));
    // Texture and no iris (noise): a low confidence, and the point pulled toward the eye's middle.
    cv::Mat noise(200, 240, CV_8U);
    cv::RNG(7).fill(noise, cv::RNG::UNIFORM, 90, 170);
    const gaze::PupilEstimate b = locator.locate(noise, eye);
    expect(b.found && b.quality < 0.35f && std::hypot(b.centre.x - 120, b.centre.y - 100) < 6.f,
           "pupil: no iris gives a confidence under 0.35 and a point near the eye's middle",
           fmt("(%.1f, %.1f), confidence %.2f", b.centre.x, b.centre.y, b.quality));
}

// ---- reflections on spectacles ---------------------------------------------
// A synthetic eye (40 px wide) in a face at mid grey, the way the evaluation
// set's glare and brighter variants differ: a clipped streak that crosses
// the upper lid, against a sclera clipped to white inside the lids.

void lens_reflections() {
    const gaze::EyeContour eye = {cv::Point2f(100, 100), cv::Point2f(113, 94), cv::Point2f(127, 94),
                                  cv::Point2f(140, 100), cv::Point2f(127, 106), cv::Point2f(113, 106)};
    const std::array<gaze::EyeContour, 2> eyes = {eye, eye};
    std::array<cv::Point, 6> polygon;
    for (int i = 0; i < 6; ++i) polygon[i] = eye[i];
    cv::Mat face(200, 240, CV_8U, cv::Scalar(130));
    cv::fillConvexPoly(face, polygon.data(), 6, cv::Scalar(170));               // sclera
    cv::circle(face, cv::Point(120, 100), 7, cv::Scalar(50), cv::FILLED, cv::LINE_AA);  // iris

    gaze::LensReflections reflections;
    gaze::PupilLocator locator;
    // A sclera clipped to white inside the lids is no reflection.
    cv::Mat bright_sclera = face.clone();
    cv::fillConvexPoly(bright_sclera, polygon.data(), 6, cv::Scalar(255));
    cv::circle(bright_sclera, cv::Point(120, 100), 7, cv::Scalar(50), cv::FILLED, cv::LINE_AA);
    const float sclera_share = reflections.covered_share(bright_sclera, eye);
    const bool untouched = &reflections.repair(bright_sclera, eyes) == &bright_sclera;
    expect(sclera_share == 0 && untouched, "reflections: a sclera clipped inside the lids is none, the frame is left as it is",
           fmt("share %.3f", sclera_share) + (untouched ? ", untouched" : ", repaired"));

    // A streak over the iris that reaches past the upper lid is one.
    cv::Mat glare = face.clone();
    cv::ellipse(glare, cv::RotatedRect(cv::Point2f(126, 96), cv::Size2f(40, 7), -35), cv::Scalar(255), cv::FILLED);
    const float share = reflections.covered_share(glare, eye);
    const cv::Mat &repaired = reflections.repair(glare, eyes);
    double brightest = 0;
    cv::minMaxLoc(repaired(cv::Rect(95, 80, 50, 40)), nullptr, &brightest);
    expect(share >= 0.04f && &repaired != &glare && brightest < 245,
           "reflections: a clipped streak crossing the lid covers the eye and is inpainted for the landmarks",
           fmt("share %.3f, brightest after %.0f", share, brightest));
    const gaze::PupilEstimate under = locator.locate(glare, eye, share);
    expect(under.found && under.quality == 0 && std::abs(under.centre.x - 120) < 1.f,
           "reflections: the pupil under them has no confidence and falls back to the contour's middle",
           fmt("(%.1f, %.1f), confidence %.2f", under.centre.x, under.centre.y, under.quality));

    // The same streak on an overexposed face (the skin clipped too) cannot be told from it.
    cv::Mat overexposed = glare.clone();
    overexposed.setTo(255, overexposed >= 130);
    cv::circle(overexposed, cv::Point(120, 100), 7, cv::Scalar(50), cv::FILLED, cv::LINE_AA);
    expect(reflections.covered_share(overexposed, eye) == 0, "reflections: none are told on an overexposed face");
}

// ---- still images ---------------------------------------------------------

int faces_in_image(const bench::Paths &paths, const std::string &path) {
    const cv::Mat image = cv::imread(path, cv::IMREAD_COLOR);
    if (image.empty()) bench::die("cannot read " + path);
    bench::Frame frame;
    frame.width = image.cols;
    frame.height = image.rows;
    frame.bgr.assign(image.data, image.data + image.total() * 3);
    gaze_tracker *t = bench::make_tracker(paths, {});
    const auto r = bench::run(t, {frame});
    gaze_tracker_destroy(t);
    return r[0].face_count;
}

void still_images(const bench::Paths &paths) {
    const std::string fr = paths.data + "/face_recognition-1.3.0/tests/test_images/";
    expect(faces_in_image(paths, paths.data + "/skimage/data/astronaut.png") == 1, "astronaut.png: one face");
    expect(faces_in_image(paths, fr + "obama.jpg") == 1, "obama.jpg: one face");
    expect(faces_in_image(paths, fr + "biden.jpg") == 1, "biden.jpg: one face");
    const int several = faces_in_image(paths, paths.clip("multi_face.jpg"));
    expect(several >= 2, "multi_face.jpg: several faces", fmt("%.0f faces", several));
}

// ---- C API failure paths --------------------------------------------------

gaze_status open_camera(const char *what, gaze_error &error) {
    gaze_error_init(&error);
    gaze_source *source = nullptr;
    const gaze_status status = gaze_source_open_camera(what, nullptr, &source, &error);
    gaze_source_close(source);
    return status;
}

// The file module decodes as OpenCV's own VideoCapture does in this program,
// byte for byte: moving the decoders out of the core changed no frame.
void same_frames_as_videocapture(const bench::Paths &paths) {
    const std::string path = paths.clip("single_face.mp4");
    cv::VideoCapture capture(path, cv::CAP_FFMPEG);
    gaze_source *video = nullptr;
    gaze_error error;
    gaze_error_init(&error);
    const gaze_status opened = gaze_source_open_video(path.c_str(), nullptr, &video, &error);
    int frames = 0, equal = 0;
    cv::Mat expected;
    gaze_frame frame{};
    frame.struct_size = sizeof(frame);
    while (opened == GAZE_OK && capture.read(expected) && gaze_source_read(video, &frame, &error) == GAZE_OK) {
        ++frames;
        const cv::Mat got(frame.height, frame.width, CV_8UC3, const_cast<uint8_t *>(frame.data), static_cast<size_t>(frame.stride));
        if (got.size() == expected.size() && cv::norm(got, expected, cv::NORM_INF) == 0) ++equal;
    }
    gaze_source_close(video);
    expect(frames > 0 && equal == frames, "video: the file module's frames equal OpenCV's VideoCapture byte for byte",
           fmt("%.0f of %.0f frames", equal, frames));
}

void api_failures(const bench::Paths &paths) {
    gaze_error error;
    gaze_camera_list *list = nullptr;
    gaze_error_init(&error);
    const bool listed = gaze_camera_list_create(&list, &error) == GAZE_OK;
    const uint32_t cameras = gaze_camera_list_count(list);
    expect(listed, "camera enumeration succeeds", fmt("%.0f cameras", cameras));
    gaze_camera_list_destroy(list);

    gaze_status s = open_camera("/dev/video-does-not-exist", error);
    expect(s == GAZE_ERR_NOT_FOUND, "camera: a bad path is NOT_FOUND", error.message);
    s = open_camera("/dev/null", error);
    expect(s == GAZE_ERR_NOT_CAPTURE_DEVICE, "camera: /dev/null is NOT_CAPTURE_DEVICE", error.message);
    s = open_camera("Integrated Camera", error);
    expect(cameras == 0 ? s == GAZE_ERR_NO_DEVICE : (s == GAZE_OK || s == GAZE_ERR_NOT_FOUND || s == GAZE_ERR_BUSY),
           "camera by name: NO_DEVICE when the system has none", error.message);

    gaze_source *source = nullptr;
    gaze_error_init(&error);
    s = gaze_source_open_video((paths.data + "/no-such.mp4").c_str(), nullptr, &source, &error);
    expect(s == GAZE_ERR_NOT_FOUND && source == nullptr, "video: a missing file is NOT_FOUND", error.message);
    gaze_error_init(&error);
    s = gaze_source_open_video("assets.lock", nullptr, &source, &error);
    expect(s == GAZE_ERR_IO && source == nullptr, "video: a text file is IO", error.message);
    same_frames_as_videocapture(paths);

    gaze_tracker_options options;
    gaze_tracker_options_init(&options);
    options.landmark_model_path = "/nonexistent/shape_predictor.dat";
    const std::string yunet = paths.yunet();
    options.face_detector_model_path = yunet.c_str();
    gaze_tracker *tracker = nullptr;
    gaze_error_init(&error);
    s = gaze_tracker_create(&options, &tracker, &error);
    expect(s == GAZE_ERR_MODEL && tracker == nullptr, "tracker: a missing landmark model is MODEL", error.message);

    tracker = bench::make_tracker(paths, {});
    gaze_image bad{};
    bad.struct_size = sizeof(bad);
    bad.pixel_format = GAZE_PIXEL_BGR24;
    bad.width = 10;
    bad.height = 10;
    bad.stride = 5;
    uint8_t pixels[300] = {};
    bad.data = pixels;
    gaze_result result{};
    result.struct_size = sizeof(result);
    gaze_error_init(&error);
    s = gaze_tracker_process(tracker, &bad, 0, &result, &error);
    expect(s == GAZE_ERR_INVALID_ARGUMENT, "tracker: a stride shorter than a row is INVALID_ARGUMENT", error.message);

    // An older caller that knows only the first fields of gaze_result.
    bad.stride = 30;
    gaze_result small{};
    small.struct_size = offsetof(gaze_result, face);
    s = gaze_tracker_process(tracker, &bad, 1, &small, &error);
    expect(s == GAZE_OK && small.struct_size == offsetof(gaze_result, face) && small.frame_index == 1,
           "tracker: a short gaze_result is filled only as far as its struct_size");
    gaze_tracker_destroy(tracker);
}

void image_folder(const std::vector<bench::Frame> &clip) {
    namespace fs = std::filesystem;
    const fs::path folder = fs::temp_directory_path() / "gaze-vision-folder-check";
    fs::remove_all(folder);
    fs::create_directories(folder);
    // Written out of order, with a non-image file between: read back sorted.
    for (int i : {2, 0, 1}) {
        const cv::Mat m(clip[i].height, clip[i].width, CV_8UC3, const_cast<uint8_t *>(clip[i].bgr.data()));
        cv::imwrite((folder / ("frame_" + std::to_string(i) + ".png")).string(), m);
    }
    std::FILE *note = std::fopen((folder / "notes.txt").c_str(), "w");
    if (note) { std::fputs("not an image\n", note); std::fclose(note); }

    gaze_source_options options;
    gaze_source_options_init(&options);
    options.pixel_format = GAZE_PIXEL_GRAY8;
    gaze_source *source = nullptr;
    gaze_error error;
    gaze_error_init(&error);
    gaze_status s = gaze_source_open_image_folder(folder.c_str(), &options, &source, &error);
    bool in_order = s == GAZE_OK;
    int frames = 0;
    while (in_order) {
        gaze_frame frame{};
        frame.struct_size = sizeof(frame);
        uint8_t tiny[16];
        if (frames == 0) {  // a buffer too small keeps the frame for the next read
            s = gaze_source_read_into(source, tiny, sizeof tiny, 0, &frame, &error);
            in_order = s == GAZE_ERR_BUFFER_TOO_SMALL && frame.width == clip[0].width;
        }
        s = gaze_source_read(source, &frame, &error);
        if (s == GAZE_END_OF_STREAM) break;
        in_order = in_order && s == GAZE_OK && frame.index == frames && frame.pixel_format == GAZE_PIXEL_GRAY8 &&
                   frame.width == clip[0].width;
        ++frames;
    }
    gaze_source_close(source);
    fs::remove_all(folder);
    expect(in_order && frames == 3, "image folder: images in sorted order from index 0, gray, non-images skipped",
           fmt("%.0f frames", frames));
}


// ---- the compact landmark model and its cache file ----------------------------

// The cache file's inode and modification time: the same pair = not rewritten.
std::pair<ino_t, int64_t> file_identity(const std::string &path) {
    struct stat info {};
    if (stat(path.c_str(), &info) != 0) return {0, 0};
    return {info.st_ino, static_cast<int64_t>(info.st_mtim.tv_sec) * 1000000000 + info.st_mtim.tv_nsec};
}

void overwrite(const std::string &path, size_t offset, const void *bytes, size_t size) {
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(static_cast<std::streamoff>(offset));
    file.write(static_cast<const char *>(bytes), static_cast<std::streamsize>(size));
}

// This process's mappings of `path` (/proc/self/smaps): their size and resident KiB.
struct MappedKiB { long size = 0, resident = 0; };
MappedKiB mapped_kib(const std::string &path) {
    std::ifstream smaps("/proc/self/smaps");
    MappedKiB total;
    bool inside = false;
    for (std::string line; std::getline(smaps, line);) {
        if (!line.empty() && std::isxdigit(static_cast<unsigned char>(line[0])) && line.find(' ') < line.find(':'))
            inside = line.size() >= path.size() && line.compare(line.size() - path.size(), path.size(), path) == 0;
        else if (inside && line.rfind("Size:", 0) == 0)
            total.size += std::stol(line.substr(5));
        else if (inside && line.rfind("Rss:", 0) == 0)
            total.resident += std::stol(line.substr(4));
    }
    return total;
}

void landmark_cache(const bench::Paths &paths, const std::vector<bench::Frame> &clip) {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / ("gaze-vision-cache-check-" + std::to_string(getpid()));
    fs::remove_all(dir);
    const std::string cache_dir = (dir / "state" / "cache").string();  // neither exists yet
    const std::string cached = gaze::compact_model_path(paths.landmarks, cache_dir, gaze::LandmarkStorage{}.precision);  // the shipped form

    // Through the C API: the first tracker makes the file, a second maps it.
    const auto in_memory = [&] {
        gaze_tracker *t = bench::make_tracker(paths, {});
        auto results = bench::run(t, clip);
        gaze_tracker_destroy(t);
        return results;
    }();
    bench::Paths with_cache = paths;
    with_cache.landmark_cache = cache_dir;
    gaze_tracker *first = bench::make_tracker(with_cache, {});
    const auto from_file = bench::run(first, clip);
    const auto made = file_identity(cached);
    struct stat folder {}, info {};
    const bool private_file = stat(cache_dir.c_str(), &folder) == 0 && (folder.st_mode & 0777) == 0700 &&
                              stat(cached.c_str(), &info) == 0 && (info.st_mode & 0777) == 0600;
    gaze_tracker *second = bench::make_tracker(with_cache, {});
    gaze_tracker_destroy(second);
    gaze_tracker_destroy(first);
    bool same = in_memory.size() == from_file.size();
    for (size_t i = 0; same && i < in_memory.size(); ++i)
        same = in_memory[i].face_found == from_file[i].face_found &&
               std::memcmp(in_memory[i].landmarks, from_file[i].landmarks, sizeof(in_memory[i].landmarks)) == 0;
    expect(made.first != 0 && private_file && same,
           "landmark cache: the tracker makes the directory (0700) and writes the compact model (0600); its landmarks equal the in-memory model's on every frame",
           fmt("%.1f MB", static_cast<double>(info.st_size) / 1e6));
    expect(file_identity(cached) == made, "landmark cache: a second tracker maps the file without rewriting it");

    const gaze::LandmarkStorage storage{cache_dir};
    {
        const gaze::LandmarkModel model(paths.landmarks, storage);
        expect(model.mapped(), "landmark cache: the model's trees are a read-only mapping of the file");
        // The checksum reads every page; they are handed back, so a tracker with no frames holds none of the 65 MB.
        const MappedKiB mapped = mapped_kib(fs::canonical(cached).string());
        expect(mapped.size * 1024 >= static_cast<long>(info.st_size) && mapped.resident * 1024 < static_cast<long>(info.st_size) / 20,
               "landmark cache: once checked, the mapping's pages are not held resident",
               fmt("%.0f of %.0f KiB mapped", static_cast<double>(mapped.resident), static_cast<double>(mapped.size)));
    }
    // Bytes changed in a leaf (no index to check there) fail the checksum: the file is remade.
    const auto read_tail = [&] {
        std::ifstream in(cached, std::ios::binary | std::ios::ate);
        const std::streamoff size = in.tellg();
        std::array<char, 4> tail{};
        in.seekg(size - 4);
        in.read(tail.data(), 4);
        return std::make_pair(static_cast<size_t>(size), tail);
    };
    const auto [size, original] = read_tail();
    const std::array<char, 4> garbage{'\x55', '\x66', '\x77', '\x11'};
    overwrite(cached, size - 4, garbage.data(), garbage.size());
    {
        const gaze::LandmarkModel model(paths.landmarks, storage);
        expect(model.mapped() && read_tail().second == original && original != garbage,
               "landmark cache: a file with changed bytes is remade");
    }
    // A cache made from another version of the model file (its modification time) is remade.
    const int64_t other_time = 12345;
    overwrite(cached, offsetof(gaze::ForestHeader, source_mtime_ns), &other_time, sizeof other_time);
    {
        const gaze::LandmarkModel model(paths.landmarks, storage);
        gaze::LandmarkForest forest;
        const gaze::ModelBytes bytes = gaze::ModelBytes::map(cached);
        expect(model.mapped() && gaze::view_forest(bytes.data(), bytes.size(), forest) &&
                   forest.header.source_mtime_ns != other_time,
               "landmark cache: a file made from another model version is remade");
    }
    // A conversion killed mid-write leaves its partial file (65 MB); the next conversion removes it,
    // but not the file of a writer still running (a child that waits stands for one).
    {
        const pid_t gone = fork();
        if (gone == 0) _exit(0);
        waitpid(gone, nullptr, 0);
        const pid_t running = fork();
        if (running == 0) { pause(); _exit(0); }
        const std::string abandoned = cached + ".partial-" + std::to_string(gone);
        const std::string live = cached + ".partial-" + std::to_string(running);
        std::ofstream(abandoned) << "half";
        std::ofstream(live) << "half";
        fs::remove(cached);
        const gaze::LandmarkModel model(paths.landmarks, storage);
        expect(model.mapped() && !fs::exists(abandoned) && fs::exists(live),
               "landmark cache: a conversion removes the partial file a killed one left, not a live writer's");
        kill(running, SIGKILL);
        waitpid(running, nullptr, 0);
        fs::remove(live);
    }
    // A directory that cannot be made: the model is converted in memory, not refused.
    {
        const gaze::LandmarkModel model(paths.landmarks, gaze::LandmarkStorage{"/proc/gaze-vision-no-such-dir"});
        expect(!model.mapped(), "landmark cache: an unusable directory leaves the model in memory");
    }
    fs::remove_all(dir);

    // int8 leaves against dlib's float values, in the boxes the pipeline fits
    // (the whole evaluation set's figures are in docs/gaze-vision.md; measured
    // here: mean 0.39 px, largest 2.6 px on this clip, its face ~140 px wide).
    // Named, not the default: the shipped default is float32, which would compare the floats with themselves.
    const gaze::LandmarkModel compact(paths.landmarks, gaze::LandmarkStorage{"", gaze::LeafPrecision::int8});
    const gaze::LandmarkModel reference(paths.landmarks, gaze::LandmarkStorage{"", gaze::LeafPrecision::float32});
    double sum = 0, largest = 0;
    int fits = 0;
    cv::Mat gray;
    for (size_t i = 0; i < clip.size(); ++i) {
        if (!in_memory[i].face_found) continue;
        const cv::Mat bgr(clip[i].height, clip[i].width, CV_8UC3, const_cast<uint8_t *>(clip[i].bgr.data()));
        cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
        gaze::Landmarks seen;
        for (int p = 0; p < gaze::kForestPoints; ++p) seen[p] = {in_memory[i].landmarks[p].x, in_memory[i].landmarks[p].y};
        const gaze::FaceFrame box = gaze::face_frame_from_landmarks(seen);
        const gaze::Landmarks a = compact.fit(gray, box.box, box.angle), b = reference.fit(gray, box.box, box.angle);
        for (int p = 0; p < gaze::kForestPoints; ++p) {
            const double d = cv::norm(a[p] - b[p]);
            sum += d;
            largest = std::max(largest, d);
        }
        ++fits;
    }
    const double mean = fits ? sum / (fits * gaze::kForestPoints) : 1e9;
    expect(fits > 0 && mean <= 0.6 && largest <= 5, "landmark model: int8 leaves within 0.6 px on average (5 px at most) of dlib's floats",
           fmt("mean %.3f px, largest %.2f px over %.0f fits", mean, largest, fits));
}

}  // namespace

int main(int argc, char **argv) {
    bench::Paths paths;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--data")) paths.data = argv[i + 1];
        else if (!std::strcmp(argv[i], "--landmarks")) paths.landmarks = argv[i + 1];
        else bench::die(std::string("unknown option ") + argv[i]);
    }
    gaze_vision_set_threads(1);
    const auto clip = bench::load_clip(paths.clip("single_face.mp4"), false);
    const auto reference = json_lite::parse_file("Tests/Fixtures/pupil-reference/single_face.json");

    face_in_every_frame(paths, clip);
    blinks_where_eyes_close(paths, clip, reference);
    mirrored_input(paths, clip);
    face_leaves_and_returns(paths);
    still_images(paths);
    evaluation_set(paths);
    pupil_confidence();
    lens_reflections();
    narrow_eyes();
    api_failures(paths);
    image_folder(clip);
    landmark_cache(paths, clip);

    std::printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
