#include "landmark_cache.hpp"
#include "vision_error.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace gaze {

ModelBytes::~ModelBytes() {
    if (mapped_) munmap(const_cast<uint8_t *>(mapped_), mapped_size_);
}

ModelBytes::ModelBytes(ModelBytes &&other) noexcept
    : mapped_(other.mapped_), mapped_size_(other.mapped_size_), owned_(std::move(other.owned_)) {
    other.mapped_ = nullptr;
    other.mapped_size_ = 0;
}

ModelBytes &ModelBytes::operator=(ModelBytes &&other) noexcept {
    if (this != &other) {
        if (mapped_) munmap(const_cast<uint8_t *>(mapped_), mapped_size_);
        mapped_ = other.mapped_;
        mapped_size_ = other.mapped_size_;
        owned_ = std::move(other.owned_);
        other.mapped_ = nullptr;
        other.mapped_size_ = 0;
    }
    return *this;
}

ModelBytes ModelBytes::map(const std::string &path) {
    ModelBytes bytes;
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return bytes;
    struct stat info {};
    if (fstat(fd, &info) == 0 && S_ISREG(info.st_mode) && info.st_size > 0) {
        void *at = mmap(nullptr, static_cast<size_t>(info.st_size), PROT_READ, MAP_SHARED, fd, 0);
        if (at != MAP_FAILED) {
            bytes.mapped_ = static_cast<const uint8_t *>(at);
            bytes.mapped_size_ = static_cast<size_t>(info.st_size);
        }
    }
    close(fd);
    return bytes;
}

void ModelBytes::forget_resident_pages() const {
    if (mapped_) madvise(const_cast<uint8_t *>(mapped_), mapped_size_, MADV_DONTNEED);
}

namespace {

const char *precision_name(LeafPrecision precision) {
    switch (precision) {
    case LeafPrecision::int8: return "int8";
    case LeafPrecision::int16: return "int16";
    case LeafPrecision::float32: break;
    }
    return "float32";
}

// Whether the mapped cache was made from the source as it is now.
bool made_from(const LandmarkForest &forest, const std::string &source, LeafPrecision precision) {
    struct stat info {};
    if (stat(source.c_str(), &info) != 0) return false;
    const int64_t mtime = static_cast<int64_t>(info.st_mtim.tv_sec) * 1000000000 + info.st_mtim.tv_nsec;
    return forest.header.source_size == static_cast<uint64_t>(info.st_size) && forest.header.source_mtime_ns == mtime &&
           forest.header.precision == static_cast<uint32_t>(precision);
}

// Writes the bytes to a fresh file beside `path` and renames it into place,
// so a reader never maps a half-written file. False when it cannot.
bool write_atomically(const std::string &path, const std::vector<uint8_t> &bytes) {
    const std::string partial = path + ".partial-" + std::to_string(getpid());
    const int fd = open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return false;
    size_t written = 0;
    while (written < bytes.size()) {
        const ssize_t n = write(fd, bytes.data() + written, bytes.size() - written);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        written += static_cast<size_t>(n);
    }
    const bool ok = close(fd) == 0 && written == bytes.size() && rename(partial.c_str(), path.c_str()) == 0;
    if (!ok) unlink(partial.c_str());
    return ok;
}

// A conversion killed while writing leaves `<cached>.partial-<pid>` (65 MB)
// behind; those of processes that are gone are removed before the next one.
// A live writer's file is left alone: it is about to be renamed into place.
void remove_abandoned_partials(const std::string &cached) {
    const size_t slash = cached.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : cached.substr(0, slash);
    const std::string prefix = cached.substr(slash == std::string::npos ? 0 : slash + 1) + ".partial-";
    DIR *listing = opendir(dir.c_str());
    if (!listing) return;
    while (const dirent *entry = readdir(listing)) {
        const std::string name = entry->d_name;
        if (name.compare(0, prefix.size(), prefix) != 0) continue;
        const std::string digits = name.substr(prefix.size());
        if (digits.empty() || digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) continue;
        const long pid = std::stol(digits);  // at most 9 digits: within pid_t
        if (pid <= 0) continue;
        if (kill(static_cast<pid_t>(pid), 0) == -1 && errno == ESRCH) unlink((dir + "/" + name).c_str());
    }
    closedir(listing);
}

// mkdir -p with 0700 for what it creates (the agent's state directory may not
// exist yet when the plugin starts); failures show when the file is written.
void make_directories(const std::string &dir) {
    for (size_t slash = dir.find('/', 1); ; slash = dir.find('/', slash + 1)) {
        mkdir(dir.substr(0, slash).c_str(), 0700);
        if (slash == std::string::npos) break;
    }
}

}  // namespace

std::string compact_model_path(const std::string &source, const std::string &cache_dir, LeafPrecision precision) {
    char resolved[PATH_MAX];
    const std::string canonical = realpath(source.c_str(), resolved) ? std::string(resolved) : source;
    char name[80];
    std::snprintf(name, sizeof(name), "/landmark-model-%016llx-%s.gzlm",
                  static_cast<unsigned long long>(
                      forest_checksum(reinterpret_cast<const uint8_t *>(canonical.data()), canonical.size())),
                  precision_name(precision));
    return cache_dir + name;
}

ModelBytes load_compact_model(const std::string &source, const std::string &cache_dir, LeafPrecision precision,
                              LandmarkForest &forest) {
    const std::string cached = cache_dir.empty() ? std::string() : compact_model_path(source, cache_dir, precision);
    if (!cached.empty()) {
        ModelBytes bytes = ModelBytes::map(cached);
        if (bytes.size() && view_forest(bytes.data(), bytes.size(), forest) && made_from(forest, source, precision)) {
            // Checking the checksum read every page of the ~65 MB; a frame reads one leaf a
            // tree, and a tracker with no camera reads none, so they need not stay resident.
            bytes.forget_resident_pages();
            return bytes;
        }
    }
    std::vector<uint8_t> encoded = encode_dlib_model(source, precision);
    if (!cached.empty()) {
        make_directories(cache_dir);
        remove_abandoned_partials(cached);
        if (write_atomically(cached, encoded)) {
            ModelBytes bytes = ModelBytes::map(cached);
            if (bytes.size() && view_forest(bytes.data(), bytes.size(), forest)) {
                bytes.forget_resident_pages();
                return bytes;
            }
        }
    }
    ModelBytes bytes(std::move(encoded));
    if (!view_forest(bytes.data(), bytes.size(), forest))
        throw VisionError(GAZE_ERR_INTERNAL, "landmark model '" + source + "': its compact form does not read back");
    return bytes;
}

}  // namespace gaze
