// make vision-memory: where the gaze library's resident memory goes (issue 18).
// One process goes through the stages the gaze plugin's child goes through
// and prints, after each, the kernel's view (/proc/self/smaps_rollup: Rss,
// Pss, anonymous and file-backed pages) and the heap's (mallinfo2: bytes in
// use, in malloc's arenas and in its own mmaps):
//   start                libraries mapped, nothing loaded
//   landmark model       LandmarkModel alone (its peak while loading too)
//   model released       the same destroyed again
//   tracker              gaze_tracker_create: landmark model + YuNet
//   source               single_face.mp4 read frame by frame through a
//                        gaze_source (as the plugin reads a file)
//   processed            the same frames read again and processed
// and, at the end, the mappings holding the most resident memory by file.
//
// usage: memory [--data DIR] [--landmarks FILE] [--cache DIR] [--frames N]
#include "bench_support.hpp"
#include "gaze_frame_source.h"
#include "landmark_model.hpp"

#include <malloc.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

namespace {

struct Usage {
    double rss = 0, pss = 0, anonymous = 0, file = 0, peak = 0;  // MiB
    double heap_used = 0, heap_mapped = 0;                        // MiB
};

double kib_field(const std::string &text, const std::string &name) {
    const size_t at = text.find("\n" + name + ":");
    if (at == std::string::npos) return 0;
    return std::atof(text.c_str() + at + name.size() + 2) / 1024.0;
}

std::string read_text(const char *path) {
    std::ifstream in(path);
    std::stringstream text;
    text << "\n" << in.rdbuf();
    return text.str();
}

Usage usage() {
    Usage u;
    const std::string rollup = read_text("/proc/self/smaps_rollup");
    u.rss = kib_field(rollup, "Rss");
    u.pss = kib_field(rollup, "Pss");
    u.anonymous = kib_field(rollup, "Anonymous");
    u.file = u.rss - u.anonymous;
    u.peak = kib_field(read_text("/proc/self/status"), "VmHWM");
    const struct mallinfo2 heap = mallinfo2();
    u.heap_used = static_cast<double>(heap.uordblks + heap.hblkhd) / (1 << 20);
    u.heap_mapped = static_cast<double>(heap.hblkhd) / (1 << 20);
    return u;
}

void print(const char *stage, const Usage &u) {
    std::printf("  %-24s Rss %6.1f  Pss %6.1f  anon %6.1f  file %6.1f  peak %6.1f  heap in use %6.1f (of it malloc's own mmaps %5.1f) MiB\n",
                stage, u.rss, u.pss, u.anonymous, u.file, u.peak, u.heap_used, u.heap_mapped);
}

// Resident memory per mapped file (or [heap], [anon], [stack]...), largest first.
void print_mappings(size_t count) {
    std::ifstream in("/proc/self/smaps");
    std::map<std::string, double> by_name;
    std::string line, name;
    while (std::getline(in, line)) {
        if (!line.empty() && std::isxdigit(static_cast<unsigned char>(line[0])) && line.find('-') < 16) {
            std::istringstream fields(line);
            std::string range, perms, offset, device, inode;
            fields >> range >> perms >> offset >> device >> inode;
            std::getline(fields >> std::ws, name);
            if (name.empty()) name = "[anonymous]";
        } else if (line.rfind("Rss:", 0) == 0) {
            by_name[name] += std::atof(line.c_str() + 4) / 1024.0;
        }
    }
    std::vector<std::pair<double, std::string>> sorted;
    for (const auto &[n, mib] : by_name) sorted.emplace_back(mib, n);
    std::sort(sorted.rbegin(), sorted.rend());
    std::printf("  resident by mapping:\n");
    for (size_t i = 0; i < std::min(count, sorted.size()); ++i)
        std::printf("    %6.1f MiB  %s\n", sorted[i].first, sorted[i].second.c_str());
}

gaze_source *open_clip(const std::string &path) {
    gaze_source_options options;
    gaze_source_options_init(&options);
    gaze_error error;
    gaze_error_init(&error);
    gaze_source *source = nullptr;
    if (gaze_source_open_video(path.c_str(), &options, &source, &error) != GAZE_OK)
        bench::die(std::string(error.message) + " (run scripts/fetch-assets.sh first)");
    return source;
}

// The next frame, from the start again at the end, as the plugin loops a file.
gaze_frame read_looping(const std::string &path, gaze_source *&source) {
    gaze_error error;
    gaze_error_init(&error);
    gaze_frame frame{};
    frame.struct_size = sizeof(frame);
    gaze_status status = gaze_source_read(source, &frame, &error);
    if (status == GAZE_END_OF_STREAM) {
        gaze_source_close(source);
        source = open_clip(path);
        status = gaze_source_read(source, &frame, &error);
    }
    if (status != GAZE_OK) bench::die(error.message);
    return frame;
}

}  // namespace

int main(int argc, char **argv) {
    bench::Paths paths;
    int frames = 72;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--data")) paths.data = argv[i + 1];
        else if (!std::strcmp(argv[i], "--landmarks")) paths.landmarks = argv[i + 1];
        else if (!std::strcmp(argv[i], "--cache")) paths.landmark_cache = argv[i + 1];
        else if (!std::strcmp(argv[i], "--frames")) frames = std::max(1, std::atoi(argv[i + 1]));
        else bench::die(std::string("unknown option ") + argv[i]);
    }
    gaze_vision_set_threads(1);
    std::printf("gaze library memory, stage by stage (landmark model %s%s%s)\n", paths.landmarks.c_str(),
                paths.landmark_cache.empty() ? "" : ", cache ", paths.landmark_cache.c_str());
    print("start", usage());
    {
        const gaze::LandmarkModel model(paths.landmarks, gaze::LandmarkStorage{paths.landmark_cache});
        print("landmark model", usage());
    }
    malloc_trim(0);
    print("model released", usage());

    bench::TrackerChoice choice;
    gaze_tracker *tracker = bench::make_tracker(paths, choice);
    print("tracker", usage());

    // The source alone first (its decoder and frame buffers), then the same
    // frames read again and processed: the difference is the tracker's.
    const std::string clip = paths.clip("single_face.mp4");
    gaze_source *source = open_clip(clip);
    for (int i = 0; i < frames; ++i) read_looping(clip, source);
    char stage[64];
    std::snprintf(stage, sizeof(stage), "source, %d frames read", frames);
    print(stage, usage());
    gaze_source_close(source);
    source = open_clip(clip);
    gaze_error error;
    gaze_error_init(&error);
    gaze_result result{};
    result.struct_size = sizeof(result);
    for (int i = 0; i < frames; ++i) {
        const gaze_frame frame = read_looping(clip, source);
        const gaze_image image{sizeof(gaze_image), frame.pixel_format, frame.width, frame.height, frame.stride, frame.data};
        if (gaze_tracker_process(tracker, &image, i, &result, &error) != GAZE_OK) bench::die(error.message);
    }
    std::snprintf(stage, sizeof(stage), "and %d frames processed", frames);
    print(stage, usage());
    print_mappings(12);
    gaze_source_close(source);
    gaze_tracker_destroy(tracker);
    return 0;
}
