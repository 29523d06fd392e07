// The decoders inside libgaze-file-sources.so: video files through OpenCV's
// FFmpeg backend and folders of images through imgcodecs. The core reaches
// them only through the module's C table (c_api_file_module.cpp).
#pragma once

#include "frame_source.hpp"

#include <memory>
#include <string>

namespace gaze {

std::unique_ptr<FrameSource> decode_video_file(const std::string &path);
std::unique_ptr<FrameSource> decode_image_folder(const std::string &path);

}  // namespace gaze
