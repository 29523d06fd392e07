// Frame sources behind gaze_frame_source.h. Each kind delivers 8-bit BGR
// frames; flipping and conversion to the caller's pixel format happen once,
// at the C boundary (c_api_source.cpp).
#pragma once

#include "gaze_vision.h"

#include <opencv2/core.hpp>

#include <memory>
#include <string>

namespace gaze {

struct SourceFrame {
    cv::Mat bgr;                 // owned by the source until its next read
    int64_t index = 0;
    int64_t timestamp_ns = 0;
    uint32_t dropped_before = 0;
};

struct SourceSettings {
    int width = 0, height = 0;   // cameras only; 0 = the driver's current
    float fps = 0;
    int buffer_count = 4;
    int timeout_ms = 2000;
};

struct SourceDescription {
    gaze_source_kind kind = GAZE_SOURCE_VIDEO_FILE;
    int width = 0, height = 0;
    float fps = 0;
    int64_t frame_count = -1;
    uint32_t camera_fourcc = 0;
    std::string text;
};

class FrameSource {
public:
    virtual ~FrameSource() = default;
    // Returns false at the end of a file or folder; throws VisionError on
    // failure.
    virtual bool read(SourceFrame &frame) = 0;
    virtual SourceDescription describe() const = 0;
};

std::unique_ptr<FrameSource> open_video_file(const std::string &path);
std::unique_ptr<FrameSource> open_image_folder(const std::string &path);
std::unique_ptr<FrameSource> open_v4l2_camera(const std::string &path_or_name, const SourceSettings &settings);

}  // namespace gaze
