// The module's one exported symbol: the table of gaze_file_module.h over the
// decoders. Everything else in the module is hidden (-fvisibility=hidden),
// so nothing here binds to the core's symbols of the same names.
#include "file_decoders.hpp"
#include "gaze_file_module.h"
#include "vision_error.hpp"

#include <cstring>

struct gaze_file_reader {
    std::unique_ptr<gaze::FrameSource> source;
    gaze::SourceFrame frame;  // the last frame read: what gaze_file_frame.data points into
};

namespace {

using gaze::VisionError;

template <typename Decoder>
gaze_status open_with(const char *path, gaze_file_reader **out, gaze_error *error, Decoder decoder) {
    return gaze::guarded(error, [&] {
        if (out == nullptr || path == nullptr) throw VisionError(GAZE_ERR_INVALID_ARGUMENT, "path or out_reader is NULL");
        *out = nullptr;
        auto reader = std::make_unique<gaze_file_reader>();
        reader->source = decoder(std::string(path));
        *out = reader.release();
        return GAZE_OK;
    });
}

gaze_status open_video(const char *path, gaze_file_reader **out, gaze_error *error) {
    return open_with(path, out, error, gaze::decode_video_file);
}

gaze_status open_image_folder(const char *path, gaze_file_reader **out, gaze_error *error) {
    return open_with(path, out, error, gaze::decode_image_folder);
}

gaze_status read_frame(gaze_file_reader *reader, gaze_file_frame *frame, gaze_error *error) {
    return gaze::guarded(error, [&] {
        if (reader == nullptr || frame == nullptr) throw VisionError(GAZE_ERR_INVALID_ARGUMENT, "reader or frame is NULL");
        if (!reader->source->read(reader->frame)) return GAZE_END_OF_STREAM;
        const cv::Mat &bgr = reader->frame.bgr;
        if (bgr.type() != CV_8UC3) throw VisionError(GAZE_ERR_UNSUPPORTED, "a decoded frame is not 8-bit BGR");
        frame->data = bgr.data;
        frame->width = bgr.cols;
        frame->height = bgr.rows;
        frame->stride = static_cast<int32_t>(bgr.step[0]);
        frame->index = reader->frame.index;
        frame->timestamp_ns = reader->frame.timestamp_ns;
        return GAZE_OK;
    });
}

void describe_reader(const gaze_file_reader *reader, gaze_file_reader_info *info) {
    if (reader == nullptr || info == nullptr) return;
    const gaze::SourceDescription d = reader->source->describe();
    info->kind = d.kind;
    info->width = d.width;
    info->height = d.height;
    info->fps = d.fps;
    info->frame_count = d.frame_count;
    std::memset(info->description, 0, sizeof(info->description));
    std::strncpy(info->description, d.text.c_str(), sizeof(info->description) - 1);
}

void close_reader(gaze_file_reader *reader) { delete reader; }

const gaze_file_module table = {sizeof(gaze_file_module), open_video, open_image_folder, read_frame, describe_reader, close_reader};

}  // namespace

extern "C" __attribute__((visibility("default"))) const gaze_file_module *gaze_file_module_v1(void) { return &table; }
