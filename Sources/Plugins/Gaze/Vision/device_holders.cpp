#include "device_holders.hpp"

#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <system_error>

namespace gaze {
namespace {

namespace fs = std::filesystem;

bool is_pid(const std::string &name) {
    if (name.empty()) return false;
    for (char c : name)
        if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    return true;
}

bool holds(const fs::path &process, const fs::path &target) {
    std::error_code ec;
    for (const auto &fd : fs::directory_iterator(process / "fd", ec)) {
        std::error_code link_error;
        if (fs::read_symlink(fd.path(), link_error) == target) return true;
    }
    return false;
}

std::string command_name(const fs::path &process) {
    std::ifstream comm(process / "comm");
    std::string name;
    std::getline(comm, name);
    return name.empty() ? "?" : name;
}

}  // namespace

std::string device_holders(const std::string &path, int limit) {
    std::error_code ec;
    const fs::path target = fs::canonical(path, ec);
    if (ec) return "";
    const std::string self = std::to_string(getpid());
    std::string names;
    int found = 0;
    for (const auto &entry : fs::directory_iterator("/proc", ec)) {
        const std::string pid = entry.path().filename().string();
        if (!is_pid(pid) || pid == self || !holds(entry.path(), target)) continue;
        if (found == limit) return names + ", ...";
        names += (found++ ? ", " : "") + command_name(entry.path()) + " (pid " + pid + ")";
    }
    return names;
}

std::string busy_text(const std::string &path, const std::string &detail) {
    const std::string holders = device_holders(path);
    return path + ": device busy" + (detail.empty() ? "" : " (" + detail + ")") + ": " +
           (holders.empty() ? "another program is using the camera" : "in use by " + holders);
}

}  // namespace gaze
