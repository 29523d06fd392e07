// Who holds a device open: the answer a person needs when the camera is busy.
#pragma once

#include <string>

namespace gaze {

// "zoom (pid 4242), obs (pid 977)": the processes, other than this one,
// that have `path` open, as far as /proc lets this user see (other users'
// descriptors are not readable). At most `limit` are named, then "...".
// Empty when none is visible.
std::string device_holders(const std::string &path, int limit = 3);

// "<path>: device busy: in use by zoom (pid 4242)", or without the holders
// when none is visible; `detail` (e.g. the failed step) goes in between.
std::string busy_text(const std::string &path, const std::string &detail = "");

}  // namespace gaze
