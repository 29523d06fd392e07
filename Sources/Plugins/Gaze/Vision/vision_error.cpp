// The C side of errors: filling gaze_error, naming statuses, the version.
#include "vision_error.hpp"

#include <cstring>

extern "C" {

const char *gaze_vision_version(void) { return "0.1.0"; }

void gaze_error_init(gaze_error *error) {
    if (error == nullptr) return;
    std::memset(error, 0, sizeof(*error));
    error->struct_size = sizeof(*error);
}

const char *gaze_status_name(int32_t status) {
    switch (status) {
        case GAZE_OK: return "ok";
        case GAZE_END_OF_STREAM: return "end of stream";
        case GAZE_ERR_INVALID_ARGUMENT: return "invalid argument";
        case GAZE_ERR_MODEL: return "model unavailable";
        case GAZE_ERR_NOT_FOUND: return "not found";
        case GAZE_ERR_NO_DEVICE: return "no capture device";
        case GAZE_ERR_NOT_CAPTURE_DEVICE: return "not a capture device";
        case GAZE_ERR_BUSY: return "busy";
        case GAZE_ERR_PERMISSION: return "permission denied";
        case GAZE_ERR_IO: return "input/output error";
        case GAZE_ERR_TIMEOUT: return "timed out";
        case GAZE_ERR_UNSUPPORTED: return "unsupported";
        case GAZE_ERR_BUFFER_TOO_SMALL: return "buffer too small";
        case GAZE_ERR_INTERNAL: return "internal error";
        default: return "unknown status";
    }
}

}  // extern "C"
