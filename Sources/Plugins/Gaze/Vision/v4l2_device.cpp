#include "v4l2_device.hpp"
#include "device_holders.hpp"
#include "vision_error.hpp"

#include <fcntl.h>
#include <libv4l2.h>
#include <linux/videodev2.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace gaze {
namespace {

std::string errno_text(const std::string &path, int err) { return path + ": " + std::strerror(err); }

gaze_status status_for_open_errno(int err) {
    switch (err) {
        case ENOENT: case ENODEV: case ENXIO: return GAZE_ERR_NOT_FOUND;
        case EACCES: case EPERM: return GAZE_ERR_PERMISSION;
        case EBUSY: return GAZE_ERR_BUSY;
        default: return GAZE_ERR_IO;
    }
}

// Device capabilities: a node of a multi-node device reports its own in
// device_caps; older drivers only fill capabilities.
uint32_t node_capabilities(const v4l2_capability &cap) {
    return (cap.capabilities & V4L2_CAP_DEVICE_CAPS) ? cap.device_caps : cap.capabilities;
}

bool query_capture(int fd, v4l2_capability &cap) {
    std::memset(&cap, 0, sizeof(cap));
    if (ioctl(fd, VIDIOC_QUERYCAP, &cap) != 0) return false;
    const uint32_t caps = node_capabilities(cap);
    return (caps & V4L2_CAP_VIDEO_CAPTURE) && (caps & V4L2_CAP_STREAMING);
}

float best_fps(int fd, uint32_t fourcc, int width, int height) {
    float best = 0;
    v4l2_frmivalenum interval{};
    interval.pixel_format = fourcc;
    interval.width = static_cast<uint32_t>(width);
    interval.height = static_cast<uint32_t>(height);
    for (interval.index = 0; ioctl(fd, VIDIOC_ENUM_FRAMEINTERVALS, &interval) == 0; ++interval.index) {
        const v4l2_fract f = interval.type == V4L2_FRMIVAL_TYPE_DISCRETE ? interval.discrete : interval.stepwise.min;
        if (f.numerator > 0) best = std::max(best, static_cast<float>(f.denominator) / f.numerator);
        if (interval.type != V4L2_FRMIVAL_TYPE_DISCRETE) break;
    }
    return best;
}

std::vector<CameraFormat> list_formats(int fd) {
    std::vector<CameraFormat> formats;
    v4l2_fmtdesc desc{};
    desc.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    for (desc.index = 0; ioctl(fd, VIDIOC_ENUM_FMT, &desc) == 0; ++desc.index) {
        v4l2_frmsizeenum size{};
        size.pixel_format = desc.pixelformat;
        for (size.index = 0; ioctl(fd, VIDIOC_ENUM_FRAMESIZES, &size) == 0; ++size.index) {
            // Stepwise sizes are reported by their largest size only.
            const int w = size.type == V4L2_FRMSIZE_TYPE_DISCRETE ? size.discrete.width : size.stepwise.max_width;
            const int h = size.type == V4L2_FRMSIZE_TYPE_DISCRETE ? size.discrete.height : size.stepwise.max_height;
            formats.push_back({desc.pixelformat, w, h, best_fps(fd, desc.pixelformat, w, h)});
            if (size.type != V4L2_FRMSIZE_TYPE_DISCRETE) break;
        }
    }
    return formats;
}

std::string text_of(const uint8_t *bytes, size_t size) {
    return std::string(reinterpret_cast<const char *>(bytes), strnlen(reinterpret_cast<const char *>(bytes), size));
}

}  // namespace

std::string fourcc_text(uint32_t fourcc) {
    std::string text;
    for (int i = 0; i < 4; ++i) {
        const char c = static_cast<char>((fourcc >> (8 * i)) & 0xff);
        if (c != ' ' && c != '\0') text += c;
    }
    return text;
}

std::vector<CameraDevice> list_cameras() {
    std::vector<std::string> nodes;
    std::error_code ec;
    for (const auto &entry : std::filesystem::directory_iterator("/dev", ec)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind("video", 0) == 0) nodes.push_back(entry.path().string());
    }
    std::sort(nodes.begin(), nodes.end());
    std::vector<CameraDevice> cameras;
    for (const auto &path : nodes) {
        // Plain open: enumeration must not start libv4l2's conversion layer.
        const int fd = ::open(path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) continue;
        v4l2_capability cap;
        if (query_capture(fd, cap)) {
            CameraDevice device;
            device.path = path;
            device.name = text_of(cap.card, sizeof(cap.card));
            device.driver = text_of(cap.driver, sizeof(cap.driver));
            device.bus = text_of(cap.bus_info, sizeof(cap.bus_info));
            device.formats = list_formats(fd);
            cameras.push_back(std::move(device));
        }
        ::close(fd);
    }
    return cameras;
}

std::string resolve_camera(const std::string &path_or_name) {
    if (path_or_name.empty()) throw VisionError(GAZE_ERR_INVALID_ARGUMENT, "empty camera path or name");
    if (path_or_name.front() == '/') return path_or_name;
    const std::vector<CameraDevice> cameras = list_cameras();
    if (cameras.empty())
        throw VisionError(GAZE_ERR_NO_DEVICE, "no V4L2 capture device on this system (looked for /dev/video*)");
    for (const auto &c : cameras)
        if (c.name == path_or_name) return c.path;
    for (const auto &c : cameras)
        if (c.name.find(path_or_name) != std::string::npos) return c.path;
    std::string names;
    for (const auto &c : cameras) names += (names.empty() ? "" : ", ") + c.name + " (" + c.path + ")";
    throw VisionError(GAZE_ERR_NOT_FOUND, "no camera named '" + path_or_name + "'; cameras: " + names);
}

int open_capture_device(const std::string &path, std::string &card) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
        throw VisionError(GAZE_ERR_NOT_FOUND, path + ": no such device");
    // Check the node ourselves before libv4l2 sees it: libv4l2 refuses
    // non-V4L2 files with a bare errno and prints to stderr.
    const int fd = ::open(path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        const int err = errno;
        if (err == EBUSY) throw VisionError(GAZE_ERR_BUSY, busy_text(path));
        throw VisionError(status_for_open_errno(err), errno_text(path, err));
    }
    v4l2_capability cap;
    if (!query_capture(fd, cap)) {
        ::close(fd);
        throw VisionError(GAZE_ERR_NOT_CAPTURE_DEVICE, path + " is not a V4L2 video capture device with streaming");
    }
    card = text_of(cap.card, sizeof(cap.card));
    if (v4l2_fd_open(fd, 0) < 0) {
        const int err = errno;
        ::close(fd);
        throw VisionError(GAZE_ERR_IO, "libv4l2 cannot take over " + errno_text(path, err));
    }
    return fd;  // closed with v4l2_close()
}

}  // namespace gaze
