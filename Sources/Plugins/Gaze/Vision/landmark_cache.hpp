// Where the compact landmark model's bytes live: a read-only mapping of a
// cache file made once from dlib's model (the pages are clean: the kernel
// can drop them under pressure and read them again, and processes mapping
// the same file share them), or, without a usable cache directory, memory.
#pragma once

#include "landmark_forest.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace gaze {

class ModelBytes {
public:
    ModelBytes() = default;
    explicit ModelBytes(std::vector<uint8_t> owned) : owned_(std::move(owned)) {}
    ~ModelBytes();
    ModelBytes(ModelBytes &&other) noexcept;
    ModelBytes &operator=(ModelBytes &&other) noexcept;
    ModelBytes(const ModelBytes &) = delete;
    ModelBytes &operator=(const ModelBytes &) = delete;

    // Maps the whole file read-only; empty when it cannot.
    static ModelBytes map(const std::string &path);

    const uint8_t *data() const { return mapped_ ? mapped_ : owned_.data(); }
    size_t size() const { return mapped_ ? mapped_size_ : owned_.size(); }
    bool mapped() const { return mapped_ != nullptr; }

    // Takes a mapping's pages out of this process's resident set; they stay
    // in the page cache (a clean file mapping), so a later read faults them
    // back in without touching the disk. Nothing for owned bytes.
    void forget_resident_pages() const;

private:
    const uint8_t *mapped_ = nullptr;
    size_t mapped_size_ = 0;
    std::vector<uint8_t> owned_;
};

// The compact form of the dlib model at `source`, and its view. With a
// cache directory: mapped from `<dir>/landmark-model-<hash of the path>-<int8|float32>.gzlm`
// when that file was made from this source (same size and modification
// time, intact); otherwise converted, written there (0600, atomically) and
// mapped. When the directory cannot be written, the converted bytes stay in
// memory: a cache is never a reason to fail. Throws VisionError(GAZE_ERR_MODEL)
// when the source is not a 68-point dlib model.
ModelBytes load_compact_model(const std::string &source, const std::string &cache_dir, LeafPrecision precision,
                              LandmarkForest &forest);

// The cache file's path for a source (for tests and the docs).
std::string compact_model_path(const std::string &source, const std::string &cache_dir, LeafPrecision precision);

}  // namespace gaze
