// V4L2 device helpers shared by enumeration and capture: opening with a
// status that names the problem, and reading what a device can do.
#pragma once

#include "gaze_vision.h"

#include <string>
#include <vector>

namespace gaze {

struct CameraFormat {
    uint32_t fourcc = 0;
    int width = 0, height = 0;
    float max_fps = 0;
};

struct CameraDevice {
    std::string path, name, driver, bus;
    std::vector<CameraFormat> formats;
};

// Lists /dev/video* devices that can capture video, sorted by path.
// An empty list is a normal answer.
std::vector<CameraDevice> list_cameras();

// Opens a device node with libv4l2 (O_RDWR | O_NONBLOCK) and checks that it
// captures video by streaming. Returns the descriptor; throws VisionError
// with NOT_FOUND, PERMISSION, BUSY, NOT_CAPTURE_DEVICE or IO. `card` gets
// the driver's card name.
int open_capture_device(const std::string &path, std::string &card);

// Resolves a path ("/dev/video0") or a camera name to a device path:
// NO_DEVICE when no camera exists at all, NOT_FOUND when none matches.
std::string resolve_camera(const std::string &path_or_name);

std::string fourcc_text(uint32_t fourcc);

}  // namespace gaze
