// The landmark model's trees in our own compact form (issue 18). dlib's
// 68-point model holds 15 levels x 500 trees x 16 leaves x 136 floats: 65 MB
// of leaf values, more than everything else in the gaze plugin's child
// together. Here each leaf keeps its 136 values as int8 steps of one scale
// per leaf (16 MB; float32 is kept as the reference to measure against), and
// the whole model is one flat block of bytes, the same in memory and in the
// cache file, so it can be mapped read-only from disk: clean pages, read
// without parsing. No library offers this: dlib has no compact or mappable
// form of its shape predictor, and OpenCV's facemark needs opencv_contrib.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace gaze {

enum class LeafPrecision : uint32_t { int8 = 8, int16 = 16, float32 = 32 };

struct ForestSplit { uint16_t a, b; float threshold; };

// One cascade level, pointing into the model's bytes.
struct ForestLevel {
    const uint32_t *anchors;    // per feature pixel: the shape point it hangs from
    const float *deltas;        // per feature pixel: x, y offset from that point (mean-shape units)
    const ForestSplit *splits;  // tree-major
    const float *leaf_scales;   // int8, int16: per leaf, the value of one step; float32: null
    const void *leaves;         // tree-major, leaf-major, 136 values each (int8_t, int16_t or float)
};

// The counts every level shares, and where the bytes came from.
struct ForestHeader {
    char magic[8];
    uint32_t precision;         // a LeafPrecision
    uint32_t points;            // 68
    uint32_t levels, trees, splits_per_tree, features;
    uint64_t source_size;       // the dlib file it was made from, to tell a stale cache
    int64_t source_mtime_ns;
    uint64_t payload_size, payload_checksum;  // what follows the header
};

constexpr int kForestPoints = 68;
constexpr int kForestValues = 2 * kForestPoints;

// A view of a compact model's bytes (which must outlive it).
struct LandmarkForest {
    ForestHeader header{};
    const float *initial_shape = nullptr;  // x0, y0, x1, y1... in the unit face box
    std::vector<ForestLevel> levels;
    int leaves_per_tree() const { return static_cast<int>(header.splits_per_tree) + 1; }
    LeafPrecision precision() const { return static_cast<LeafPrecision>(header.precision); }
};

// Reads dlib's 68-point shape predictor file and encodes it. Throws
// VisionError(GAZE_ERR_MODEL) naming the file when it is not one.
std::vector<uint8_t> encode_dlib_model(const std::string &path, LeafPrecision precision);

// Checks the bytes (header, sizes, indices, checksum) and points into them.
// Returns false when they are not a whole, intact compact model.
bool view_forest(const uint8_t *bytes, size_t size, LandmarkForest &forest);

// FNV-1a over 64-bit words (the tail byte by byte): cheap enough to check a
// 16 MB cache file on every load (~5 ms), and catches a torn or edited file.
uint64_t forest_checksum(const uint8_t *bytes, size_t size);

}  // namespace gaze
