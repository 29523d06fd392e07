// make vision-clips: the evaluation set's videos under every perturbation
// (evaluation.hpp), written as lossless FFV1 clips at the source's frame
// rate, so the Swift side can replay them through the real plugin and
// judge its signals (blinks, closures, looking away) per perturbation.
// Writes DIR/<source>.<variant>.mkv and DIR/clips.tsv, one line per clip:
//   source  variant  clip-path  reference-file  frames-per-second
//
// usage: clips [--data DIR] [--out DIR]
#include "bench_support.hpp"
#include "evaluation.hpp"

#include <opencv2/core.hpp>
#include <opencv2/videoio.hpp>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace {

double frame_rate(const std::string &path) {
    cv::VideoCapture capture(path, cv::CAP_FFMPEG);
    const double fps = capture.get(cv::CAP_PROP_FPS);
    if (!(fps > 0)) bench::die("no frame rate in " + path);
    return fps;
}

void write_clip(const eval::Item &item, double fps, const std::string &path) {
    const bench::Frame &first = item.frames.front();
    cv::VideoWriter writer(path, cv::CAP_FFMPEG, cv::VideoWriter::fourcc('F', 'F', 'V', '1'), fps,
                           cv::Size(first.width, first.height));
    if (!writer.isOpened()) bench::die("cannot write " + path + " (OpenCV's FFmpeg backend without FFV1?)");
    for (const bench::Frame &f : item.frames)
        writer.write(cv::Mat(f.height, f.width, CV_8UC3, const_cast<uint8_t *>(f.bgr.data())));
}

}  // namespace

int main(int argc, char **argv) {
    bench::Paths paths;
    std::string out = ".build-vision/clips";
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--data")) paths.data = argv[i + 1];
        else if (!std::strcmp(argv[i], "--out")) out = argv[i + 1];
        else bench::die(std::string("unknown option ") + argv[i]);
    }
    std::filesystem::create_directories(out);
    std::ofstream manifest(out + "/clips.tsv.part");
    manifest << "# source\tvariant\tclip\treference\tfps (written by Tests/VisionBench/clips.cpp)\n";
    for (const eval::Item &item : eval::load_set(paths)) {
        if (item.kind != "video") continue;
        const double fps = frame_rate(paths.data + "/" + item.media);
        for (int p = 0; p < eval::kPerturbationCount; ++p) {
            const std::string path = out + "/" + item.source + "." + eval::perturbation_name(p) + ".mkv";
            write_clip(p == eval::kNone ? item : eval::perturb(item, p), fps, path);
            manifest << item.source << '\t' << eval::perturbation_name(p) << '\t' << path << '\t' << item.reference_file
                     << '\t' << fps << '\n';
        }
    }
    manifest.close();
    std::filesystem::rename(out + "/clips.tsv.part", out + "/clips.tsv");
    std::printf("vision-clips: %s/clips.tsv\n", out.c_str());
    return 0;
}
