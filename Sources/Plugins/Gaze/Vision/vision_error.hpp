// Errors inside the vision core: C++ code throws VisionError with a
// gaze_status; the C boundary turns it (and any other exception) into a
// status code and a message. Nothing else in the library knows about
// gaze_error.
#pragma once

#include "gaze_vision.h"

#include <cstddef>
#include <cstring>
#include <stdexcept>
#include <string>

namespace gaze {

class VisionError : public std::runtime_error {
public:
    VisionError(gaze_status status, const std::string &message)
        : std::runtime_error(message), status_(status) {}
    gaze_status status() const { return status_; }

private:
    gaze_status status_;
};

// Writes status and message into a caller's gaze_error, respecting its
// struct_size. A NULL error or one too small to hold the message is skipped.
// Inline: the file module (gaze_file_module.h) reports its errors with it too.
inline void report_error(gaze_error *error, gaze_status status, const char *message);

// Runs `body` and converts every exception into a status: the one place
// where the C boundary catches. Returns GAZE_OK or what body returned.
template <typename Body>
gaze_status guarded(gaze_error *error, Body &&body) {
    try {
        return body();
    } catch (const VisionError &e) {
        report_error(error, e.status(), e.what());
        return e.status();
    } catch (const std::bad_alloc &) {
        report_error(error, GAZE_ERR_INTERNAL, "out of memory");
        return GAZE_ERR_INTERNAL;
    } catch (const std::exception &e) {
        report_error(error, GAZE_ERR_INTERNAL, e.what());
        return GAZE_ERR_INTERNAL;
    } catch (...) {
        report_error(error, GAZE_ERR_INTERNAL, "unknown exception");
        return GAZE_ERR_INTERNAL;
    }
}

// True when a caller's struct (whose first field is struct_size) is large
// enough to hold `field_end` bytes: how append-only structs are read.
template <typename Struct>
bool has_field(const Struct *s, size_t field_end) {
    return s != nullptr && s->struct_size >= field_end;
}

}  // namespace gaze

#define GAZE_FIELD_END(type, field) (offsetof(type, field) + sizeof(((type *)0)->field))

namespace gaze {

inline void report_error(gaze_error *error, gaze_status status, const char *message) {
    if (error == nullptr) return;
    if (!has_field(error, GAZE_FIELD_END(gaze_error, status))) return;
    error->status = status;
    if (!has_field(error, GAZE_FIELD_END(gaze_error, message))) return;
    std::strncpy(error->message, message ? message : "", sizeof(error->message) - 1);
    error->message[sizeof(error->message) - 1] = '\0';
}

}  // namespace gaze
