#include "evaluation.hpp"
#include "json_lite.hpp"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

namespace eval {
namespace {

const char *kSetFile = "Tests/Fixtures/pupil-reference/evaluation-set.tsv";
const char *kReferenceDir = "Tests/Fixtures/pupil-reference/";

// A frame is left out of the accuracy figure when dlib's six eye points and
// MediaPipe's matching six disagree about the eye itself: their centres, or
// either corner, more than this share of the inter-ocular distance apart.
// Then the reference iris and the landmarks the plugin starts from describe
// different eyes, and neither can judge the other.
constexpr double kDisagreeCentre = 0.05;
constexpr double kDisagreeCorner = 0.08;

Point point_of(const json_lite::Value &v) { return Point{v[0].number, v[1].number}; }

EyeReference eye_of(const json_lite::Value &v) {
    EyeReference e;
    e.pupil = point_of(v["pupil"]);
    for (int i = 0; i < 6; ++i) e.contour[i] = point_of(v["contour"][i]);
    e.open = v["open"].boolean;
    return e;
}

}  // namespace

std::vector<ReferenceFrame> load_reference(const std::string &path) {
    const json_lite::Value doc = json_lite::parse_file(path);
    std::vector<ReferenceFrame> frames;
    for (const auto &f : doc["frames"].items) {
        ReferenceFrame r;
        if (!f["left"].is_null() && !f["right"].is_null()) {
            r.face = true;
            // The subject's left eye is on the image's right in these unmirrored sources.
            r.image_right = eye_of(f["left"]);
            r.image_left = eye_of(f["right"]);
        }
        frames.push_back(r);
    }
    return frames;
}

namespace {

bench::Frame frame_of(const cv::Mat &bgr) {
    bench::Frame frame;
    frame.width = bgr.cols;
    frame.height = bgr.rows;
    const cv::Mat packed = bgr.isContinuous() ? bgr : bgr.clone();
    frame.bgr.assign(packed.data, packed.data + packed.total() * 3);
    return frame;
}

cv::Mat mat_of(const bench::Frame &f) {
    return cv::Mat(f.height, f.width, CV_8UC3, const_cast<uint8_t *>(f.bgr.data()));
}

double distance(Point a, Point b) { return std::hypot(a.x - b.x, a.y - b.y); }

Point mean_of(const std::array<Point, 6> &c) {
    Point m;
    for (const auto &p : c) { m.x += p.x / 6; m.y += p.y / 6; }
    return m;
}

std::array<Point, 6> dlib_eye(const gaze_result &r, int first) {
    std::array<Point, 6> c;
    for (int i = 0; i < 6; ++i) c[i] = Point{r.landmarks[first + i].x, r.landmarks[first + i].y};
    return c;
}

// Corners by image side: the points with the smallest and largest x.
std::pair<Point, Point> corners(const std::array<Point, 6> &c) {
    const auto [lo, hi] = std::minmax_element(c.begin(), c.end(), [](Point a, Point b) { return a.x < b.x; });
    return {*lo, *hi};
}

bool disagree(const std::array<Point, 6> &dlib, const std::array<Point, 6> &mesh, double iod) {
    const auto [dl, dr] = corners(dlib);
    const auto [ml, mr] = corners(mesh);
    return distance(mean_of(dlib), mean_of(mesh)) > kDisagreeCentre * iod ||
           std::max(distance(dl, ml), distance(dr, mr)) > kDisagreeCorner * iod;
}

// ---- the seed's pupil: GazeTracking's darkest blob --------------------------
// From its description: the eye is cut out along dlib's six points (white
// outside the polygon, 5 px margin), bilateral-filtered (d 10, sigma 15/15),
// eroded three times with a 3x3 kernel and thresholded; the threshold is
// calibrated per eye over the first 20 frames as the mean of the thresholds
// (5..95, step 5) whose dark share of the crop (less 5 px each side) comes
// closest to 0.48; the pupil is the centroid of the second-largest contour.

cv::Mat seed_eye_crop(const cv::Mat &gray, const std::array<Point, 6> &eye, cv::Point &origin) {
    std::vector<cv::Point> region;
    for (const auto &p : eye) region.emplace_back(static_cast<int>(std::lround(p.x)), static_cast<int>(std::lround(p.y)));
    const cv::Rect bounds = cv::boundingRect(region);
    const int margin = 5;
    cv::Rect roi(bounds.x - margin, bounds.y - margin, bounds.width - 1 + 2 * margin, bounds.height - 1 + 2 * margin);
    roi &= cv::Rect(0, 0, gray.cols, gray.rows);
    if (roi.width < 12 || roi.height < 12) return {};
    cv::Mat crop(roi.size(), CV_8U, cv::Scalar(255));
    cv::Mat mask = cv::Mat::zeros(roi.size(), CV_8U);
    for (auto &p : region) p -= roi.tl();
    cv::fillPoly(mask, std::vector<std::vector<cv::Point>>{region}, cv::Scalar(255));
    gray(roi).copyTo(crop, mask);
    origin = roi.tl();
    return crop;
}

cv::Mat seed_process(const cv::Mat &eye, int threshold) {
    const cv::Mat kernel = cv::Mat::ones(3, 3, CV_8U);
    cv::Mat filtered, eroded, binary;
    cv::bilateralFilter(eye, filtered, 10, 15, 15);
    cv::erode(filtered, eroded, kernel, cv::Point(-1, -1), 3);
    cv::threshold(eroded, binary, threshold, 255, cv::THRESH_BINARY);
    return binary;
}

int seed_best_threshold(const cv::Mat &eye) {
    int best = 5;
    double best_gap = 1e9;
    for (int t = 5; t < 100; t += 5) {
        const cv::Mat binary = seed_process(eye, t);
        const cv::Mat inner = binary(cv::Rect(5, 5, binary.cols - 10, binary.rows - 10));
        const double dark = 1.0 - static_cast<double>(cv::countNonZero(inner)) / inner.total();
        if (std::abs(dark - 0.48) < best_gap) { best_gap = std::abs(dark - 0.48); best = t; }
    }
    return best;
}

bool seed_pupil(const cv::Mat &eye, cv::Point origin, int threshold, Point &out) {
    cv::Mat binary = seed_process(eye, threshold);
    std::vector<std::vector<cv::Point>> contours;
    cv::findContours(binary, contours, cv::RETR_TREE, cv::CHAIN_APPROX_NONE);
    if (contours.size() < 2) return false;
    std::stable_sort(contours.begin(), contours.end(),
                     [](const auto &a, const auto &b) { return cv::contourArea(a) < cv::contourArea(b); });
    const cv::Moments m = cv::moments(contours[contours.size() - 2]);
    if (m.m00 == 0) return false;
    out = Point{m.m10 / m.m00 + origin.x, m.m01 / m.m00 + origin.y};
    return true;
}

struct SeedCalibration {
    std::vector<int> thresholds[2];
    int threshold(int side) const {
        double sum = 0;
        for (int t : thresholds[side]) sum += t;
        return static_cast<int>(sum / std::max<size_t>(1, thresholds[side].size()));
    }
};

}  // namespace

double Tally::gain(int m) const {
    if (follow_n[m] < 2) return 0;
    const double mr = follow_r[m] / follow_n[m], mp = follow_p[m] / follow_n[m];
    const double var = follow_rr[m] / follow_n[m] - mr * mr;
    return var > 0 ? (follow_rp[m] / follow_n[m] - mr * mp) / var : 0;
}

Tally &Tally::operator+=(const Tally &o) {
    open_frames += o.open_frames;
    excluded += o.excluded;
    closed_reference += o.closed_reference;
    closed_ours += o.closed_ours;
    closed_agreed += o.closed_agreed;
    for (int m = 0; m < kMethodCount; ++m) {
        follow_n[m] += o.follow_n[m];
        follow_r[m] += o.follow_r[m];
        follow_p[m] += o.follow_p[m];
        follow_rr[m] += o.follow_rr[m];
        follow_rp[m] += o.follow_rp[m];
        within05[m] += o.within05[m];
        within10[m] += o.within10[m];
        vertical_sum[m] += o.vertical_sum[m];
        vertical_count[m] += o.vertical_count[m];
    }
    return *this;
}

const char *perturbation_name(int p) {
    static const char *names[] = {"none", "darker", "brighter", "noise", "jpeg-q15", "320x180", "mirror",
                                  "glare", "roll-20", "roll-10", "roll+10", "roll+20"};
    static_assert(sizeof(names) / sizeof(names[0]) == kPerturbationCount, "a name per perturbation");
    return names[p];
}

namespace {

// Spectacles' glare: a slanted specular streak over each eye, as a lens
// lit from above and to the side reflects it, partly over the iris: from
// above the inner half of the eye down across its middle (about an eye
// wide, a sixth of it thick), a blurred ellipse added up to 230 grey
// levels, so its core clips to white like a real reflection.
cv::Mat with_glare(const cv::Mat &in, const ReferenceFrame &ref) {
    cv::Mat out = in.clone();
    if (!ref.face) return out;
    cv::Mat light = cv::Mat::zeros(in.size(), CV_32F);
    double widest = 0;
    for (const EyeReference *e : {&ref.image_left, &ref.image_right}) {
        const auto [a, b] = corners(e->contour);
        const double width = distance(a, b);
        const Point c = mean_of(e->contour);
        const cv::Point2f centre(static_cast<float>(c.x + 0.15 * width), static_cast<float>(c.y - 0.10 * width));
        cv::ellipse(light, cv::RotatedRect(centre, cv::Size2f(static_cast<float>(width), static_cast<float>(width / 6)), -35.f),
                    cv::Scalar(1.0), cv::FILLED, cv::LINE_AA);
        widest = std::max(widest, width);
    }
    cv::GaussianBlur(light, light, cv::Size(), std::max(0.8, widest / 18));
    cv::Mat added;
    cv::merge(std::vector<cv::Mat>(3, light * 230.0), added);
    cv::Mat wide;
    out.convertTo(wide, CV_32FC3);
    wide += added;
    wide.convertTo(out, CV_8UC3);  // saturates
    return out;
}

// The head rolled in the image plane: the whole frame turned about its
// centre (positive = counter-clockwise on screen), edges replicated.
cv::Mat rolled(const cv::Mat &in, double degrees, cv::Mat &transform) {
    transform = cv::getRotationMatrix2D(cv::Point2f(in.cols / 2.f, in.rows / 2.f), degrees, 1.0);
    cv::Mat out;
    cv::warpAffine(in, out, transform, in.size(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    return out;
}

double roll_degrees(int perturbation) {
    switch (perturbation) {
        case kRotateLeft20: return -20;
        case kRotateLeft10: return -10;
        case kRotateRight10: return 10;
        case kRotateRight20: return 20;
        default: return 0;
    }
}

}  // namespace

std::vector<Item> load_set(const bench::Paths &paths) {
    std::ifstream in(kSetFile);
    if (!in) bench::die(std::string("cannot read ") + kSetFile);
    std::vector<Item> set;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream fields(line);
        Item item;
        std::getline(fields, item.source, '\t');
        std::getline(fields, item.media, '\t');
        std::getline(fields, item.reference_file, '\t');
        std::getline(fields, item.kind, '\t');
        const std::string path = paths.data + "/" + item.media;
        if (item.kind == "video") {
            item.frames = bench::load_clip(path, false);
        } else {
            const cv::Mat image = cv::imread(path, cv::IMREAD_COLOR);
            if (image.empty()) bench::die("cannot read " + path + " (run scripts/fetch-assets.sh first)");
            item.frames.push_back(frame_of(image));
        }
        item.reference = load_reference(kReferenceDir + item.reference_file);
        if (item.reference.size() != item.frames.size()) bench::die("reference and media differ in frames: " + path);
        set.push_back(std::move(item));
    }
    return set;
}

Item perturb(const Item &item, int perturbation) {
    if (perturbation == kNone) return item;
    Item out;
    out.source = item.source;
    out.media = item.media;
    out.kind = item.kind;
    out.reference_file = item.reference_file;
    out.reference = item.reference;
    cv::RNG rng(0x5eed);
    for (size_t i = 0; i < item.frames.size(); ++i) {
        const cv::Mat in = mat_of(item.frames[i]);
        cv::Mat result;
        ReferenceFrame &ref = out.reference[i];
        auto map_points = [&ref](auto &&f) {
            for (EyeReference *e : {&ref.image_left, &ref.image_right}) {
                f(e->pupil);
                for (auto &p : e->contour) f(p);
            }
        };
        switch (perturbation) {
            case kDarker: in.convertTo(result, -1, 0.35, 0); break;        // underexposed by ~1.5 stops
            case kBrighter: in.convertTo(result, -1, 1.6, 40); break;      // overexposed, highlights clip
            case kNoise: {                                                 // sensor noise, sigma 12 per channel
                cv::Mat noise(in.size(), CV_16SC3);
                rng.fill(noise, cv::RNG::NORMAL, 0, 12);
                cv::Mat wide;
                in.convertTo(wide, CV_16SC3);
                cv::add(wide, noise, wide);
                wide.convertTo(result, CV_8UC3);
                break;
            }
            case kJpeg: {
                std::vector<uchar> bytes;
                cv::imencode(".jpg", in, bytes, {cv::IMWRITE_JPEG_QUALITY, 15});
                result = cv::imdecode(bytes, cv::IMREAD_COLOR);
                break;
            }
            case kDownscale: {  // fit inside 320x180, as a low-resolution webcam gives
                const double s = std::min(320.0 / in.cols, 180.0 / in.rows);
                const cv::Size size(std::max(1, static_cast<int>(std::lround(in.cols * s))),
                                    std::max(1, static_cast<int>(std::lround(in.rows * s))));
                cv::resize(in, result, size, 0, 0, cv::INTER_AREA);
                const double sx = static_cast<double>(size.width) / in.cols, sy = static_cast<double>(size.height) / in.rows;
                map_points([sx, sy](Point &p) { p.x *= sx; p.y *= sy; });  // MediaPipe's coordinates scale as-is
                break;
            }
            case kMirror: {
                cv::flip(in, result, 1);
                const double w = in.cols;
                map_points([w](Point &p) { p.x = w - p.x; });
                std::swap(ref.image_left, ref.image_right);
                break;
            }
            case kGlare: result = with_glare(in, ref); break;
            default: {  // the rolls
                cv::Mat m;
                result = rolled(in, roll_degrees(perturbation), m);
                map_points([&m](Point &p) {
                    const double x = m.at<double>(0, 0) * p.x + m.at<double>(0, 1) * p.y + m.at<double>(0, 2);
                    const double y = m.at<double>(1, 0) * p.x + m.at<double>(1, 1) * p.y + m.at<double>(1, 2);
                    p = Point{x, y};
                });
                break;
            }
        }
        out.frames.push_back(frame_of(result));
    }
    return out;
}

Tally evaluate(gaze_tracker *tracker, const Item &item) {
    const std::vector<gaze_result> results = bench::run(tracker, item.frames);
    Tally tally;
    SeedCalibration calibration;
    for (size_t i = 0; i < item.frames.size(); ++i) {
        const gaze_result &r = results[i];
        const ReferenceFrame &ref = item.reference[i];
        const cv::Mat bgr = mat_of(item.frames[i]);
        cv::Mat gray;
        // The seed's eye crops (and its calibration, over the first 20 frames with a face).
        cv::Mat seed_crops[2];
        cv::Point seed_origin[2];
        if (r.face_found) {
            cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
            for (int side = 0; side < 2; ++side) {
                seed_crops[side] = seed_eye_crop(gray, dlib_eye(r, side == 0 ? 36 : 42), seed_origin[side]);
                if (!seed_crops[side].empty() && calibration.thresholds[side].size() < 20)
                    calibration.thresholds[side].push_back(seed_best_threshold(seed_crops[side]));
            }
        }
        if (ref.face) {
            const bool shut_reference = !ref.image_left.open && !ref.image_right.open;
            const bool shut_ours = r.face_found && r.left.closed && r.right.closed;
            tally.closed_reference += shut_reference;
            tally.closed_ours += shut_ours;
            tally.closed_agreed += shut_reference && shut_ours;
        }
        if (!ref.face || !ref.image_left.open || !ref.image_right.open) continue;
        const double iod = distance(ref.image_left.pupil, ref.image_right.pupil);
        if (r.face_found && (disagree(dlib_eye(r, 36), ref.image_left.contour, iod) ||
                             disagree(dlib_eye(r, 42), ref.image_right.contour, iod))) {
            ++tally.excluded;
            continue;
        }
        ++tally.open_frames;
        if (!r.face_found) continue;  // a miss for every method

        // Unmirrored tracker: its "right" eye is the image-left one.
        const gaze_eye &left = r.right, &right = r.left;
        Point found[kMethodCount][2];
        bool have[kMethodCount] = {false, false, false};
        have[kPlugin] = left.pupil_found && right.pupil_found;
        found[kPlugin][0] = Point{left.pupil.x, left.pupil.y};
        found[kPlugin][1] = Point{right.pupil.x, right.pupil.y};
        have[kContour] = true;
        found[kContour][0] = Point{left.contour_centre.x, left.contour_centre.y};
        found[kContour][1] = Point{right.contour_centre.x, right.contour_centre.y};
        have[kSeed] = !seed_crops[0].empty() && !seed_crops[1].empty() &&
                      seed_pupil(seed_crops[0], seed_origin[0], calibration.threshold(0), found[kSeed][0]) &&
                      seed_pupil(seed_crops[1], seed_origin[1], calibration.threshold(1), found[kSeed][1]);
        for (int m = 0; m < kMethodCount; ++m) {
            if (!have[m]) continue;
            const double e = std::max(distance(found[m][0], ref.image_left.pupil),
                                      distance(found[m][1], ref.image_right.pupil)) / iod;
            tally.within05[m] += e <= 0.05;
            tally.within10[m] += e <= 0.10;
            tally.vertical_sum[m] += (found[m][0].y - ref.image_left.pupil.y + found[m][1].y - ref.image_right.pupil.y) /
                                     (2 * iod);
            ++tally.vertical_count[m];
            const Point dlib_centre[2] = {mean_of(dlib_eye(r, 36)), mean_of(dlib_eye(r, 42))};
            const EyeReference *eyes[2] = {&ref.image_left, &ref.image_right};
            for (int side = 0; side < 2; ++side) {
                const double rx = (eyes[side]->pupil.x - mean_of(eyes[side]->contour).x) / iod;
                const double px = (found[m][side].x - dlib_centre[side].x) / iod;
                tally.follow_n[m] += 1;
                tally.follow_r[m] += rx;
                tally.follow_p[m] += px;
                tally.follow_rr[m] += rx * rx;
                tally.follow_rp[m] += rx * px;
            }
        }
    }
    return tally;
}

std::vector<SourceTally> evaluate_set(gaze_tracker *tracker, const std::vector<Item> &set) {
    std::vector<SourceTally> sources;
    for (const Item &item : set) {
        auto it = std::find_if(sources.begin(), sources.end(), [&](const SourceTally &s) { return s.source == item.source; });
        if (it == sources.end()) {
            sources.push_back({item.source, {}});
            it = sources.end() - 1;
        }
        // The unchanged variant is the item itself: no copy of a whole decoded clip.
        it->by_perturbation[kNone] += evaluate(tracker, item);
        for (int p = kNone + 1; p < kPerturbationCount; ++p) it->by_perturbation[p] += evaluate(tracker, perturb(item, p));
    }
    return sources;
}

}  // namespace eval
