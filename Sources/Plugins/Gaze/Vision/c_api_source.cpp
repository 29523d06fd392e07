// The C boundary of frame sources: opening, reading into the source's
// buffer or the caller's, flipping and pixel-format conversion.
#include "frame_source.hpp"
#include "gaze_vision.h"
#include "vision_error.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cstring>

struct gaze_source {
    std::unique_ptr<gaze::FrameSource> impl;
    bool flip = false;
    uint32_t pixel_format = GAZE_PIXEL_BGR24;
    gaze::SourceFrame raw;     // as the source delivered it
    cv::Mat delivered;         // flipped and converted: what frame->data points at
    bool pending = false;      // `delivered` holds a frame not yet handed out (a read_into that did not fit)
};

namespace {

using gaze::VisionError;

struct OpenOptions {
    gaze::SourceSettings settings;
    bool flip = false;
    uint32_t pixel_format = GAZE_PIXEL_BGR24;
};

OpenOptions read_options(const gaze_source_options *o) {
    using gaze::has_field;
    OpenOptions out;
    if (o == nullptr) return out;
#define READ(field, assign) \
    if (has_field(o, GAZE_FIELD_END(gaze_source_options, field))) { assign; }
    READ(width, out.settings.width = std::max(0, o->width))
    READ(height, out.settings.height = std::max(0, o->height))
    READ(fps, out.settings.fps = std::max(0.f, o->fps))
    READ(flip_horizontal, out.flip = o->flip_horizontal != 0)
    READ(pixel_format, if (o->pixel_format != 0) out.pixel_format = o->pixel_format)
    READ(buffer_count, if (o->buffer_count > 0) out.settings.buffer_count = std::clamp(o->buffer_count, 2, 16))
    READ(timeout_ms, if (o->timeout_ms > 0) out.settings.timeout_ms = o->timeout_ms)
#undef READ
    if (out.pixel_format != GAZE_PIXEL_BGR24 && out.pixel_format != GAZE_PIXEL_GRAY8)
        throw VisionError(GAZE_ERR_INVALID_ARGUMENT, "sources deliver GAZE_PIXEL_BGR24 or GAZE_PIXEL_GRAY8 only");
    return out;
}

template <typename Opener>
gaze_status open_with(const char *path, const gaze_source_options *options, gaze_source **out, gaze_error *error,
                      Opener opener) {
    return gaze::guarded(error, [&] {
        if (out == nullptr) throw VisionError(GAZE_ERR_INVALID_ARGUMENT, "out_source is NULL");
        *out = nullptr;
        if (path == nullptr) throw VisionError(GAZE_ERR_INVALID_ARGUMENT, "path is NULL");
        const OpenOptions o = read_options(options);
        auto source = std::make_unique<gaze_source>();
        source->impl = opener(std::string(path), o.settings);
        source->flip = o.flip;
        source->pixel_format = o.pixel_format;
        *out = source.release();
        return GAZE_OK;
    });
}

// Reads the next frame into source->delivered unless one is pending.
gaze_status next_frame(gaze_source *source) {
    if (source->pending) return GAZE_OK;
    if (!source->impl->read(source->raw)) return GAZE_END_OF_STREAM;
    // Into `delivered`, which keeps its allocation from frame to frame: the
    // raw frame belongs to the source and may be overwritten by its next read.
    const cv::Mat &bgr = source->raw.bgr;
    if (source->pixel_format == GAZE_PIXEL_GRAY8) {
        cv::cvtColor(bgr, source->delivered, cv::COLOR_BGR2GRAY);
        if (source->flip) cv::flip(source->delivered, source->delivered, 1);
    } else if (source->flip) {
        cv::flip(bgr, source->delivered, 1);
    } else {
        bgr.copyTo(source->delivered);
    }
    source->pending = true;
    return GAZE_OK;
}

void describe_frame(const gaze_source *source, gaze_frame *frame, const uint8_t *data, int32_t stride) {
    gaze_frame full{};
    full.struct_size = sizeof(full);
    full.index = source->raw.index;
    full.timestamp_ns = source->raw.timestamp_ns;
    full.dropped_before = source->raw.dropped_before;
    full.pixel_format = source->pixel_format;
    full.width = source->delivered.cols;
    full.height = source->delivered.rows;
    full.stride = stride;
    full.data = data;
    const size_t n = std::min<size_t>(frame->struct_size, sizeof(full));
    std::memcpy(frame, &full, n);
    frame->struct_size = static_cast<uint32_t>(n);
}

void require_frame_struct(const gaze_source *source, const gaze_frame *frame) {
    if (source == nullptr || frame == nullptr) throw VisionError(GAZE_ERR_INVALID_ARGUMENT, "source and frame must not be NULL");
    if (frame->struct_size < sizeof(uint32_t)) throw VisionError(GAZE_ERR_INVALID_ARGUMENT, "gaze_frame.struct_size not set");
}

}  // namespace

extern "C" {

void gaze_source_options_init(gaze_source_options *options) {
    if (options == nullptr) return;
    std::memset(options, 0, sizeof(*options));
    options->struct_size = sizeof(*options);
    options->pixel_format = GAZE_PIXEL_BGR24;
    options->buffer_count = 4;
    options->timeout_ms = 2000;
}

gaze_status gaze_source_open_camera(const char *path_or_name, const gaze_source_options *options,
                                    gaze_source **out_source, gaze_error *error) {
    return open_with(path_or_name, options, out_source, error,
                     [](const std::string &p, const gaze::SourceSettings &s) { return gaze::open_v4l2_camera(p, s); });
}

gaze_status gaze_source_open_video(const char *path, const gaze_source_options *options, gaze_source **out_source,
                                   gaze_error *error) {
    return open_with(path, options, out_source, error,
                     [](const std::string &p, const gaze::SourceSettings &) { return gaze::open_video_file(p); });
}

gaze_status gaze_source_open_image_folder(const char *path, const gaze_source_options *options,
                                          gaze_source **out_source, gaze_error *error) {
    return open_with(path, options, out_source, error,
                     [](const std::string &p, const gaze::SourceSettings &) { return gaze::open_image_folder(p); });
}

gaze_status gaze_source_get_info(const gaze_source *source, gaze_source_info *info, gaze_error *error) {
    return gaze::guarded(error, [&] {
        if (source == nullptr || info == nullptr || info->struct_size < sizeof(uint32_t))
            throw VisionError(GAZE_ERR_INVALID_ARGUMENT, "source is NULL or info.struct_size not set");
        const gaze::SourceDescription d = source->impl->describe();
        gaze_source_info full{};
        full.struct_size = sizeof(full);
        full.kind = d.kind;
        full.width = d.width;
        full.height = d.height;
        full.fps = d.fps;
        full.frame_count = d.frame_count;
        full.camera_fourcc = d.camera_fourcc;
        std::strncpy(full.description, d.text.c_str(), sizeof(full.description) - 1);
        const size_t n = std::min<size_t>(info->struct_size, sizeof(full));
        std::memcpy(info, &full, n);
        info->struct_size = static_cast<uint32_t>(n);
        return GAZE_OK;
    });
}

gaze_status gaze_source_read(gaze_source *source, gaze_frame *frame, gaze_error *error) {
    return gaze::guarded(error, [&] {
        require_frame_struct(source, frame);
        const gaze_status status = next_frame(source);
        if (status != GAZE_OK) return status;
        source->pending = false;
        describe_frame(source, frame, source->delivered.data, static_cast<int32_t>(source->delivered.step[0]));
        return GAZE_OK;
    });
}

gaze_status gaze_source_read_into(gaze_source *source, uint8_t *buffer, size_t buffer_size, int32_t stride,
                                  gaze_frame *frame, gaze_error *error) {
    return gaze::guarded(error, [&] {
        require_frame_struct(source, frame);
        if (buffer == nullptr) throw VisionError(GAZE_ERR_INVALID_ARGUMENT, "buffer is NULL");
        const gaze_status status = next_frame(source);
        if (status != GAZE_OK) return status;
        const cv::Mat &d = source->delivered;
        const int32_t row_bytes = static_cast<int32_t>(d.cols * d.elemSize());
        const int32_t use_stride = stride == 0 ? row_bytes : stride;
        const size_t needed = static_cast<size_t>(use_stride) * (d.rows - 1) + row_bytes;
        if (use_stride < row_bytes || buffer_size < needed) {
            describe_frame(source, frame, nullptr, row_bytes);
            throw VisionError(GAZE_ERR_BUFFER_TOO_SMALL,
                              "frame needs " + std::to_string(static_cast<size_t>(row_bytes) * d.rows) +
                                  " bytes with rows of " + std::to_string(row_bytes) + " bytes");
        }
        cv::Mat target(d.rows, d.cols, d.type(), buffer, static_cast<size_t>(use_stride));
        d.copyTo(target);
        source->pending = false;
        describe_frame(source, frame, buffer, use_stride);
        return GAZE_OK;
    });
}

void gaze_source_close(gaze_source *source) { delete source; }

}  // extern "C"
