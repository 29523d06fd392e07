// The C boundary of camera enumeration: a snapshot list read by index.
#include "device_holders.hpp"
#include "gaze_vision.h"
#include "v4l2_device.hpp"
#include "vision_error.hpp"

#include <algorithm>
#include <cstring>
#include <memory>

struct gaze_camera_list {
    std::vector<gaze::CameraDevice> cameras;
};

namespace {

template <size_t N>
void copy_text(char (&target)[N], const std::string &text) {
    std::strncpy(target, text.c_str(), N - 1);
    target[N - 1] = '\0';
}

}  // namespace

extern "C" {

gaze_status gaze_camera_list_create(gaze_camera_list **out_list, gaze_error *error) {
    return gaze::guarded(error, [&] {
        if (out_list == nullptr) throw gaze::VisionError(GAZE_ERR_INVALID_ARGUMENT, "out_list is NULL");
        auto list = std::make_unique<gaze_camera_list>();
        list->cameras = gaze::list_cameras();
        *out_list = list.release();
        return GAZE_OK;
    });
}

uint32_t gaze_camera_list_count(const gaze_camera_list *list) {
    return list ? static_cast<uint32_t>(list->cameras.size()) : 0;
}

gaze_status gaze_camera_list_get(const gaze_camera_list *list, uint32_t index, gaze_camera_info *info,
                                 gaze_error *error) {
    return gaze::guarded(error, [&] {
        if (list == nullptr || info == nullptr || info->struct_size < sizeof(uint32_t))
            throw gaze::VisionError(GAZE_ERR_INVALID_ARGUMENT, "list is NULL or info.struct_size not set");
        if (index >= list->cameras.size())
            throw gaze::VisionError(GAZE_ERR_INVALID_ARGUMENT, "camera index " + std::to_string(index) + " out of range");
        const gaze::CameraDevice &c = list->cameras[index];
        gaze_camera_info full{};
        full.struct_size = sizeof(full);
        copy_text(full.path, c.path);
        copy_text(full.name, c.name);
        copy_text(full.driver, c.driver);
        copy_text(full.bus, c.bus);
        full.format_count = static_cast<uint32_t>(c.formats.size());
        const size_t n = std::min<size_t>(info->struct_size, sizeof(full));
        std::memcpy(info, &full, n);
        info->struct_size = static_cast<uint32_t>(n);
        return GAZE_OK;
    });
}

gaze_status gaze_camera_list_format(const gaze_camera_list *list, uint32_t index, uint32_t format_index,
                                    gaze_camera_format *format, gaze_error *error) {
    return gaze::guarded(error, [&] {
        if (list == nullptr || format == nullptr) throw gaze::VisionError(GAZE_ERR_INVALID_ARGUMENT, "list or format is NULL");
        if (index >= list->cameras.size() || format_index >= list->cameras[index].formats.size())
            throw gaze::VisionError(GAZE_ERR_INVALID_ARGUMENT, "camera or format index out of range");
        const gaze::CameraFormat &f = list->cameras[index].formats[format_index];
        std::memset(format, 0, sizeof(*format));
        format->fourcc = f.fourcc;
        copy_text(format->fourcc_text, gaze::fourcc_text(f.fourcc));
        format->width = f.width;
        format->height = f.height;
        format->max_fps = f.max_fps;
        return GAZE_OK;
    });
}

void gaze_camera_list_destroy(gaze_camera_list *list) { delete list; }

gaze_status gaze_device_holders(const char *path, char *buffer, size_t size, gaze_error *error) {
    return gaze::guarded(error, [&] {
        if (path == nullptr || buffer == nullptr || size == 0)
            throw gaze::VisionError(GAZE_ERR_INVALID_ARGUMENT, "path and buffer must not be NULL, size not 0");
        const std::string holders = gaze::device_holders(path);
        const size_t length = std::min(holders.size(), size - 1);
        std::memcpy(buffer, holders.data(), length);
        buffer[length] = '\0';
        return GAZE_OK;
    });
}

}  // extern "C"
